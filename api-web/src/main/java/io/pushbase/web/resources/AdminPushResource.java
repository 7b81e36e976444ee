package io.pushbase.web.resources;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import io.pushbase.schema.client.Keys;
import io.pushbase.web.push.PushRouter;
import io.pushbase.web.reply.Answer;
import io.pushbase.web.reply.Dialect;
import io.pushbase.web.reply.Ret;
import io.pushbase.web.reply.Route;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Admin push (PROTOCOL.md section 2), routed by {@link PushRouter}.
 *
 * <ul>
 *   <li>{@code POST /1/admin/push/private?key=&expire=} (and {@code /admin/push}): the body is the
 *       message, one valid JSON value of at most {@code maxBodyBytes}, passed on verbatim.
 *   <li>{@code POST /1/admin/push/mprivate?expire=}: the body is {@code {"m":"<message JSON as a
 *       string>","k":"k1,k2"}}; every key must be valid, at most {@code maxKeys} (duplicates count
 *       once); the answer lists in {@code fk} the keys that were neither pushed nor stored.
 * </ul>
 *
 * <p>Any invalid input answers {@code 65534} before anything is stored or delivered.
 */
@Path("/")
public final class AdminPushResource {
    private final PushRouter router;
    private final int maxBodyBytes;
    private final int maxKeys;
    private final Route privateRoute;
    private final Route unversioned;
    private final Route multi;

    public AdminPushResource(
            PushRouter router, int maxBodyBytes, int maxKeys, MetricRegistry metrics) {
        this.router = router;
        this.maxBodyBytes = maxBodyBytes;
        this.maxKeys = maxKeys;
        this.privateRoute = new Route("admin.push.private", Dialect.ADMIN, metrics);
        this.unversioned = new Route("admin.push", Dialect.ADMIN, metrics);
        this.multi = new Route("admin.push.mprivate", Dialect.ADMIN, metrics);
    }

    @POST
    @Path("1/admin/push/private")
    public void pushPrivate(
            @QueryParam("key") String key,
            @QueryParam("expire") String expire,
            InputStream body,
            @Suspended AsyncResponse out) {
        privateRoute.serve(out, null, () -> push(key, expire, body));
    }

    @POST
    @Path("admin/push")
    public void push(
            @QueryParam("key") String key,
            @QueryParam("expire") String expire,
            InputStream body,
            @Suspended AsyncResponse out) {
        unversioned.serve(out, null, () -> push(key, expire, body));
    }

    @POST
    @Path("1/admin/push/mprivate")
    public void pushMany(
            @QueryParam("expire") String expire, InputStream body, @Suspended AsyncResponse out) {
        multi.serve(out, null, () -> pushMany(expire, body));
    }

    private CompletionStage<Answer> push(String key, String expireText, InputStream in) {
        byte[] message;
        try {
            message = AdminInput.body(in, maxBodyBytes);
        } catch (IOException e) {
            return done(Answer.error(Ret.PARAM, "reading the body failed: " + e.getMessage()));
        }
        if (message == null) {
            return done(tooLarge());
        }
        String keyProblem = Keys.problem(key);
        if (keyProblem != null) {
            return done(Answer.error(Ret.PARAM, keyProblem));
        }
        long expire = AdminInput.expire(expireText);
        if (expire < 0) {
            return done(Answer.error(Ret.PARAM, AdminInput.expireProblem(expireText)));
        }
        String problem = AdminInput.messageProblem(message, maxBodyBytes);
        if (problem != null) {
            return done(Answer.error(Ret.PARAM, problem));
        }
        return router.push(key, message, expire);
    }

    private CompletionStage<Answer> pushMany(String expireText, InputStream in) {
        byte[] body;
        try {
            body = AdminInput.body(in, maxBodyBytes);
        } catch (IOException e) {
            return done(Answer.error(Ret.PARAM, "reading the body failed: " + e.getMessage()));
        }
        if (body == null) {
            return done(tooLarge());
        }
        JsonNode json = AdminInput.json(body);
        if (json == null || !json.isObject()) {
            return done(
                    Answer.error(
                            Ret.PARAM,
                            "the body must be a JSON object {\"m\":\"<message>\",\"k\":\"k1,k2\"}"));
        }
        JsonNode m = json.get("m");
        JsonNode k = json.get("k");
        if (m == null || !m.isTextual() || m.textValue().isEmpty()) {
            return done(Answer.error(Ret.PARAM, "\"m\" must be the message JSON as a string"));
        }
        if (k == null || !k.isTextual() || k.textValue().isEmpty()) {
            return done(Answer.error(Ret.PARAM, "\"k\" must be the keys, comma-separated"));
        }
        long expire = AdminInput.expire(expireText);
        if (expire < 0) {
            return done(Answer.error(Ret.PARAM, AdminInput.expireProblem(expireText)));
        }
        byte[] message = m.textValue().getBytes(StandardCharsets.UTF_8);
        String problem = AdminInput.messageProblem(message, maxBodyBytes);
        if (problem != null) {
            return done(Answer.error(Ret.PARAM, problem));
        }
        Set<String> keys = new LinkedHashSet<>();
        for (String key : k.textValue().split(",", -1)) {
            String keyProblem = Keys.problem(key);
            if (keyProblem != null) {
                return done(Answer.error(Ret.PARAM, "in \"k\": " + keyProblem));
            }
            keys.add(key);
            if (keys.size() > maxKeys) {
                return done(
                        Answer.error(Ret.PARAM, "at most " + maxKeys + " keys per multi-key push"));
            }
        }
        return router.pushMany(List.copyOf(keys), message, expire);
    }

    private Answer tooLarge() {
        return Answer.error(Ret.PARAM, "the body is over " + maxBodyBytes + " bytes");
    }

    private static CompletionStage<Answer> done(Answer answer) {
        return CompletableFuture.completedFuture(answer);
    }
}
