package io.pushbase.web.resources;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.pushbase.cluster.grpc.GrpcFutures;
import io.pushbase.web.reply.Answer;
import io.pushbase.web.reply.Dialect;
import io.pushbase.web.reply.Ret;
import io.pushbase.web.reply.Route;
import io.pushbase.web.view.DeliveryReceipts;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.Suspended;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * (Pushbase) Delivery receipts on the admin port ({@link DeliveryReceipts}; docs/WEB.md "Delivery
 * receipts"):
 *
 * <ul>
 *   <li>{@code GET /1/admin/cursors?key=K} (route {@code admin.cursors}): {@code
 *       {"data":{"key":"K","head":"<mid>","devices":[{"device":"phone-1","cursor":"<mid>",
 *       "ackedAtMillis":..,"unread":n}]},"ret":0}};
 *   <li>{@code GET /1/admin/acked?key=K&mid=M} (route {@code admin.acked}): {@code
 *       {"data":{"key":"K","mid":"M","issued":true,"acked":true,"devices":["phone-1"]},"ret":0}}.
 * </ul>
 *
 * A missing, empty or invalid key, or a mid that is not a decimal int64 above 0, is {@code 65534}
 * (the problem in {@code X-Pushbase-Error}); no message node answering is {@code 65535}. Behind the
 * admin secret like every admin route. Thread-safe.
 */
@Path("/")
public final class ReceiptsResource {
    private final DeliveryReceipts receipts;
    private final ObjectMapper json;
    private final Route cursorsRoute;
    private final Route ackedRoute;

    public ReceiptsResource(DeliveryReceipts receipts, ObjectMapper json, MetricRegistry metrics) {
        this.receipts = receipts;
        this.json = json;
        this.cursorsRoute = new Route("admin.cursors", Dialect.ADMIN, metrics);
        this.ackedRoute = new Route("admin.acked", Dialect.ADMIN, metrics);
    }

    @GET
    @Path("1/admin/cursors")
    public void cursors(@QueryParam("key") String key, @Suspended AsyncResponse out) {
        cursorsRoute.serve(
                out,
                () -> {
                    String problem = AdminInput.keyProblem(key);
                    if (problem != null) {
                        return CompletableFuture.completedFuture(Answer.error(Ret.PARAM, problem));
                    }
                    return answer(receipts.devices(key));
                });
    }

    @GET
    @Path("1/admin/acked")
    public void acked(
            @QueryParam("key") String key,
            @QueryParam("mid") String mid,
            @Suspended AsyncResponse out) {
        ackedRoute.serve(
                out,
                () -> {
                    String problem = AdminInput.keyProblem(key);
                    long m = AdminInput.positiveMid(mid);
                    if (problem == null && m <= 0) {
                        problem = "mid must be a decimal int64 above 0, got '" + mid + "'";
                    }
                    if (problem != null) {
                        return CompletableFuture.completedFuture(Answer.error(Ret.PARAM, problem));
                    }
                    return answer(receipts.acked(key, m));
                });
    }

    private CompletionStage<Answer> answer(CompletableFuture<?> report) {
        return report.handle(
                (data, failure) -> {
                    if (failure == null) {
                        return JsonData.answer(json, data);
                    }
                    Throwable t = GrpcFutures.unwrap(failure);
                    if (t instanceof StatusRuntimeException s
                            && s.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
                        return Answer.error(Ret.PARAM, s.getStatus().getDescription());
                    }
                    return Answer.error(Ret.INTERNAL, "reading the cursors failed: " + t);
                });
    }
}
