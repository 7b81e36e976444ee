package io.pushbase.web.resources;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pushbase.web.reply.Answer;
import io.pushbase.web.reply.Dialect;
import io.pushbase.web.reply.Ret;
import io.pushbase.web.reply.Route;
import io.pushbase.web.view.ClusterView;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * (Pushbase) {@code GET /1/admin/nodes}: the {@link ClusterView} as {@code
 * {"data":{"comets":[...],"messages":[...],"webs":[...]},"ret":0}}, every comet and message node
 * with its own health checks ({@code "health":{"checks":[{"name":..,"healthy":..,"message":..}],
 * "problem":null}}). Answers within about {@link ClusterView#HEALTH_DEADLINE_MILLIS} plus a
 * ZooKeeper read.
 */
@Path("/")
public final class NodesResource {
    private final ClusterView view;
    private final ObjectMapper json;
    private final Route route;

    public NodesResource(ClusterView view, ObjectMapper json, MetricRegistry metrics) {
        this.view = view;
        this.json = json;
        this.route = new Route("admin.nodes", Dialect.ADMIN, metrics);
    }

    @GET
    @Path("1/admin/nodes")
    public void nodes(@Suspended AsyncResponse out) {
        route.serve(out, this::render);
    }

    private CompletionStage<Answer> render() {
        try {
            return view.snapshot().thenApply(snapshot -> JsonData.answer(json, snapshot));
        } catch (Exception e) {
            return CompletableFuture.completedFuture(
                    Answer.error(Ret.INTERNAL, "reading the cluster from ZooKeeper failed: " + e));
        }
    }
}
