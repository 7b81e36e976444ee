package io.pushbase.web.resources;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import io.pushbase.schema.client.Keys;
import io.pushbase.web.push.PushAdmission;
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
 * Admin push (docs/PROTOCOL.md section 2), routed by {@link PushRouter}.
 *
 * <ul>
 *   <li>{@code POST /1/admin/push/private?key=&expire=} (and {@code /admin/push}): the body is the
 *       message, one valid JSON value of at most {@code maxBodyBytes}, passed on verbatim.
 *   <li>{@code POST /1/admin/push/mprivate?expire=}: the body is {@code {"m":"<message JSON as a
 *       string>","k":"k1,k2"}}; every key must be valid, at most {@code maxKeys} (duplicates count
 *       once); the answer lists in {@code fk} the keys that were neither pushed nor stored.
 * </ul>
 *
 * <p>Any invalid input answers {@code 65534} before anything is stored or delivered. At most {@code
 * api.maxPushesInFlight} pushes are worked on at once ({@link PushAdmission}); one more is answered
 * 503 with {@code Retry-After}.
 */
@Path("/")
public final class AdminPushResource {
    private final PushRouter router;
    private final PushAdmission admission;
    private final int maxBodyBytes;
    private final int maxKeys;
    private final Route privateRoute;
    private final Route unversioned;
    private final Route multi;

    public AdminPushResource(
            PushRouter router,
            PushAdmission admission,
            int maxBodyBytes,
            int maxKeys,
            MetricRegistry metrics) {
        this.router = router;
        this.admission = admission;
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
        privateRoute.serve(out, null, () -> admission.admit(() -> push(key, expire, body)));
    }

    @POST
    @Path("admin/push")
    public void push(
            @QueryParam("key") String key,
            @QueryParam("expire") String expire,
            InputStream body,
            @Suspended AsyncResponse out) {
        unversioned.serve(out, null, () -> admission.admit(() -> push(key, expire, body)));
    }

    @POST
    @Path("1/admin/push/mprivate")
    public void pushMany(
            @QueryParam("expire") String expire, InputStream body, @Suspended AsyncResponse out) {
        multi.serve(out, null, () -> admission.admit(() -> pushMany(expire, body)));
    }

    private CompletionStage<Answer> push(String key, String expireText, InputStream in) {
        try {
            byte[] message = body(in);
            check(Keys.problem(key));
            long expire = expire(expireText);
            check(AdminInput.messageProblem(message, maxBodyBytes));
            return router.push(key, message, expire);
        } catch (Refused refused) {
            return done(refused.answer);
        }
    }

    private CompletionStage<Answer> pushMany(String expireText, InputStream in) {
        try {
            JsonNode json = AdminInput.json(body(in));
            if (json == null || !json.isObject()) {
                throw new Refused(
                        "the body must be a JSON object {\"m\":\"<message>\",\"k\":\"k1,k2\"}");
            }
            JsonNode m = json.get("m");
            JsonNode k = json.get("k");
            if (m == null || !m.isTextual() || m.textValue().isEmpty()) {
                throw new Refused("\"m\" must be the message JSON as a string");
            }
            if (k == null || !k.isTextual() || k.textValue().isEmpty()) {
                throw new Refused("\"k\" must be the keys, comma-separated");
            }
            long expire = expire(expireText);
            byte[] message = m.textValue().getBytes(StandardCharsets.UTF_8);
            check(AdminInput.messageProblem(message, maxBodyBytes));
            Set<String> keys = new LinkedHashSet<>();
            for (String key : k.textValue().split(",", -1)) {
                String keyProblem = Keys.problem(key);
                if (keyProblem != null) {
                    throw new Refused("in \"k\": " + keyProblem);
                }
                keys.add(key);
                if (keys.size() > maxKeys) {
                    throw new Refused("at most " + maxKeys + " keys per multi-key push");
                }
            }
            return router.pushMany(List.copyOf(keys), message, expire);
        } catch (Refused refused) {
            return done(refused.answer);
        }
    }

    /** The request body, at most {@code maxBodyBytes}. */
    private byte[] body(InputStream in) throws Refused {
        byte[] body;
        try {
            body = AdminInput.body(in, maxBodyBytes);
        } catch (IOException e) {
            throw new Refused("reading the body failed: " + e.getMessage());
        }
        if (body == null) {
            throw new Refused("the body is over " + maxBodyBytes + " bytes");
        }
        return body;
    }

    private static long expire(String text) throws Refused {
        long expire = AdminInput.expire(text);
        if (expire < 0) {
            throw new Refused(AdminInput.expireProblem(text));
        }
        return expire;
    }

    /** Refuses the request when {@code problem} is not null. */
    private static void check(String problem) throws Refused {
        if (problem != null) {
            throw new Refused(problem);
        }
    }

    /**
     * Invalid input: the request is answered {@code 65534} naming the problem, before anything is
     * stored or delivered. Control flow only, so without a stack trace.
     */
    private static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient Answer answer;

        Refused(String problem) {
            super(problem, null, false, false);
            this.answer = Answer.error(Ret.PARAM, problem);
        }
    }

    private static CompletionStage<Answer> done(Answer answer) {
        return CompletableFuture.completedFuture(answer);
    }
}
