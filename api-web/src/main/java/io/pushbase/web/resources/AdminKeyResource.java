package io.pushbase.web.resources;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pushbase.web.reply.Answer;
import io.pushbase.web.reply.Dialect;
import io.pushbase.web.reply.Ret;
import io.pushbase.web.reply.Route;
import io.pushbase.web.view.KeyInspector;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * (Pushbase) {@code GET /1/admin/key?key=K}: the {@link KeyInspector}'s report of one key as {@code
 * {"data":{"key":...,"owner":{...},"connections":N,"head":"<mid>","messages":[{"mid":"<mid>",
 * "msg":"<payload text>","expiresAt":<epoch ms>}],...},"ret":0}} — the console's key inspector. A
 * part no node answered is null with its {@code ...Problem}; the answer is still {@code ret 0}. A
 * missing or invalid key is {@code 65534}. Behind the admin secret like every admin route.
 */
@Path("/")
public final class AdminKeyResource {
    private final KeyInspector inspector;
    private final ObjectMapper json;
    private final Route route;

    public AdminKeyResource(KeyInspector inspector, ObjectMapper json, MetricRegistry metrics) {
        this.inspector = inspector;
        this.json = json;
        this.route = new Route("admin.key", Dialect.ADMIN, metrics);
    }

    @GET
    @Path("1/admin/key")
    public void key(@QueryParam("key") String key, @Suspended AsyncResponse out) {
        route.serve(out, () -> inspect(key));
    }

    private CompletionStage<Answer> inspect(String key) {
        String keyProblem = AdminInput.keyProblem(key);
        if (keyProblem != null) {
            return CompletableFuture.completedFuture(Answer.error(Ret.PARAM, keyProblem));
        }
        return inspector.inspect(key).thenApply(report -> JsonData.answer(json, report));
    }
}
