package io.pushbase.web.resources;

import com.codahale.metrics.MetricRegistry;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Delete a key's mailbox (docs/PROTOCOL.md section 2): {@code POST /1/admin/msg/del} (and {@code
 * /admin/msg/clean}) with the form-encoded body {@code key=<key>}, or (Pushbase) a {@code key}
 * query parameter. Every stored message of the key is deleted, then its comet closes the key's
 * connections (best effort, {@link PushRouter#delete}).
 */
@Path("/")
public final class AdminMessageResource {
    /** A form body of one key: the key's bound, %-escaped, plus room for the field name. */
    private static final int MAX_FORM_BYTES = Keys.MAX_BYTES * 3 + 64;

    private final PushRouter router;
    private final Route delete;
    private final Route clean;

    public AdminMessageResource(PushRouter router, MetricRegistry metrics) {
        this.router = router;
        this.delete = new Route("admin.msg.del", Dialect.ADMIN, metrics);
        this.clean = new Route("admin.msg.clean", Dialect.ADMIN, metrics);
    }

    @POST
    @Path("1/admin/msg/del")
    public void delete(
            @QueryParam("key") String key, InputStream body, @Suspended AsyncResponse out) {
        delete.serve(out, () -> delete(body, key));
    }

    @POST
    @Path("admin/msg/clean")
    public void clean(
            @QueryParam("key") String key, InputStream body, @Suspended AsyncResponse out) {
        clean.serve(out, () -> delete(body, key));
    }

    private CompletionStage<Answer> delete(InputStream in, String queryKey) {
        byte[] body;
        try {
            body = AdminInput.body(in, MAX_FORM_BYTES);
        } catch (IOException e) {
            return done(Answer.error(Ret.PARAM, "reading the body failed: " + e.getMessage()));
        }
        if (body == null) {
            return done(Answer.error(Ret.PARAM, "the body is over " + MAX_FORM_BYTES + " bytes"));
        }
        String key = AdminInput.formValue(body, "key");
        if (key == null || key.isEmpty()) {
            key = queryKey;
        }
        String keyProblem = Keys.problem(key);
        if (keyProblem != null) {
            return done(Answer.error(Ret.PARAM, keyProblem));
        }
        return router.delete(key);
    }

    private static CompletionStage<Answer> done(Answer answer) {
        return CompletableFuture.completedFuture(answer);
    }
}
