package io.pushbase.web.resources;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pushbase.web.reply.Answer;
import io.pushbase.web.reply.Dialect;
import io.pushbase.web.reply.Ret;
import io.pushbase.web.reply.Route;
import io.pushbase.web.view.Presence;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * (Pushbase) Presence on the admin port, answered by asking every comet ({@link Presence}):
 *
 * <ul>
 *   <li>{@code GET /1/admin/online?key=K} (route {@code admin.online}): {@code
 *       {"data":{"key":"K","total":N,"allAnswered":..,"comets":[{"nodeName":..,"id":..,
 *       "connections":n}],"unanswered":[{"nodeName":..,"id":..,"reason":..,"problem":..}],
 *       "deadlineMillis":..},"ret":0}}; a missing, empty or invalid key is {@code 65534};
 *   <li>{@code GET /1/admin/online/total} (route {@code admin.online.total}): the same without
 *       {@code key}, each comet with its {@code role}.
 * </ul>
 *
 * A comet that did not answer is in {@code unanswered}, the answer is still {@code ret 0}; {@code
 * 65535} only when ZooKeeper cannot be read. Behind the admin secret like every admin route.
 */
@Path("/")
public final class PresenceResource {
    private final Presence presence;
    private final ObjectMapper json;
    private final Route keyRoute;
    private final Route totalRoute;
    private final Route roomRoute;

    public PresenceResource(Presence presence, ObjectMapper json, MetricRegistry metrics) {
        this.presence = presence;
        this.json = json;
        this.keyRoute = new Route("admin.online", Dialect.ADMIN, metrics);
        this.totalRoute = new Route("admin.online.total", Dialect.ADMIN, metrics);
        this.roomRoute = new Route("admin.room.online", Dialect.ADMIN, metrics);
    }

    @GET
    @Path("1/admin/online")
    public void key(@QueryParam("key") String key, @Suspended AsyncResponse out) {
        keyRoute.serve(out, () -> online(key));
    }

    @GET
    @Path("1/admin/online/total")
    public void total(@Suspended AsyncResponse out) {
        totalRoute.serve(out, this::total);
    }

    /**
     * (Pushbase, issue 14) {@code GET /1/admin/room/online?room=R} (route {@code
     * admin.room.online}): the members of a room per comet and in total, {@code
     * {"data":{"room":"R","total":N,"allAnswered":..,"comets":[{"nodeName":..,"id":..,"members":n}],
     * "unanswered":[...],"deadlineMillis":..},"ret":0}}; a missing or invalid room is {@code
     * 65534}.
     */
    @GET
    @Path("1/admin/room/online")
    public void room(@QueryParam("room") String room, @Suspended AsyncResponse out) {
        roomRoute.serve(out, () -> roomOnline(room));
    }

    private CompletionStage<Answer> roomOnline(String room) {
        String problem =
                room == null || room.isEmpty()
                        ? "room is required"
                        : io.pushbase.schema.client.Rooms.problem(room);
        if (problem != null) {
            return CompletableFuture.completedFuture(Answer.error(Ret.PARAM, problem));
        }
        try {
            return presence.room(room).thenApply(online -> JsonData.answer(json, online));
        } catch (Exception e) {
            return zooKeeperFailed(e);
        }
    }

    private CompletionStage<Answer> online(String key) {
        String keyProblem = AdminInput.keyProblem(key);
        if (keyProblem != null) {
            return CompletableFuture.completedFuture(Answer.error(Ret.PARAM, keyProblem));
        }
        try {
            return presence.key(key).thenApply(online -> JsonData.answer(json, online));
        } catch (Exception e) {
            return zooKeeperFailed(e);
        }
    }

    private CompletionStage<Answer> total() {
        try {
            return presence.total().thenApply(total -> JsonData.answer(json, total));
        } catch (Exception e) {
            return zooKeeperFailed(e);
        }
    }

    private static CompletionStage<Answer> zooKeeperFailed(Exception e) {
        return CompletableFuture.completedFuture(
                Answer.error(
                        Ret.INTERNAL, "reading the comet elections from ZooKeeper failed: " + e));
    }
}
