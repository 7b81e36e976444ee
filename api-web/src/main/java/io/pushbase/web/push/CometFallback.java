package io.pushbase.web.push;

import com.codahale.metrics.Meter;
import io.grpc.Status;
import io.pushbase.cluster.grpc.GrpcFutures;
import io.pushbase.cluster.message.AppendClaim;
import io.pushbase.schema.comet.v1.PushClaim;
import io.pushbase.web.comet.CometDirectory.CometNode;
import io.pushbase.web.reply.Answer;
import io.pushbase.web.reply.Ret;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The fallback decision shared by {@link PushRouter} and {@link RoomRouter} (docs/WEB.md, "When a
 * comet is down"): what a failed push to the owning comet means.
 *
 * <ul>
 *   <li>{@code INVALID_ARGUMENT}: the comet refused the input, {@code ret 65534}, nothing stored.
 *   <li>{@code RESOURCE_EXHAUSTED}: the comet is overloaded, nothing stored: {@link
 *       Answer#overloaded overloaded} as the web node's own bound answers, {@code ret 65535} with
 *       HTTP status 503 and {@code Retry-After: 1}, so the caller retries later whichever bound
 *       refused it (the router's {@code ...comet.overloaded} meter counts it). A multi-key push
 *       lists such keys in {@code fk} instead.
 *   <li>Anything else (unreachable, deadline, no longer the owner, any other failure): the comet
 *       may have appended before it failed, so the router stores the push itself with its claim
 *       {@link AppendClaim#lookedUpFirst() looked up first}.
 * </ul>
 *
 * <p>Also the claim every push shares with its comet and its fallback. Thread-safe and stateless
 * but for the meter it marks; owns nothing.
 */
final class CometFallback {
    private final Meter overloaded;

    /**
     * @param overloaded marked for each push a comet refused as overloaded
     */
    CometFallback(Meter overloaded) {
        this.overloaded = overloaded;
    }

    /**
     * Completes with {@code answered} of the comet's reply; when the call failed, with {@code
     * refused} of the refusal answer ({@code 65534} / {@code 65535}, its problem naming the comet
     * and its status) or {@code fallback} of why the comet could not take it.
     */
    <R, T> CompletableFuture<T> decide(
            CometNode comet,
            CompletableFuture<R> call,
            Function<R, T> answered,
            Function<Answer, T> refused,
            Function<String, CompletableFuture<T>> fallback) {
        return call.handle(
                        (reply, err) -> {
                            if (err == null) {
                                return CompletableFuture.completedFuture(answered.apply(reply));
                            }
                            Status status = Status.fromThrowable(err);
                            String why = describe(comet, status);
                            return switch (status.getCode()) {
                                case INVALID_ARGUMENT ->
                                        CompletableFuture.completedFuture(
                                                refused.apply(Answer.error(Ret.PARAM, why)));
                                case RESOURCE_EXHAUSTED -> {
                                    overloaded.mark();
                                    yield CompletableFuture.completedFuture(
                                            refused.apply(
                                                    Answer.overloaded(
                                                            why,
                                                            PushAdmission.RETRY_AFTER_SECONDS)));
                                }
                                default -> fallback.apply(why);
                            };
                        })
                .thenCompose(f -> f);
    }

    /** The answer of a push whose comet failed ({@code why}) and whose fallback append failed. */
    static Answer storeFailed(String why, Throwable err) {
        return Answer.error(Ret.INTERNAL, why + "; storing it failed too: " + rootMessage(err));
    }

    /**
     * The claim of a push: derived from its idempotency key (looked up first, indexed for {@code
     * windowSeconds}), or 16 random bytes; shared with the comet either way, so the fallback can
     * find it.
     */
    static AppendClaim claimFor(String idempotencyKey, long windowSeconds) {
        return idempotencyKey == null
                ? new AppendClaim(AppendClaim.randomBytes(), false, true, 0)
                : new AppendClaim(
                        AppendClaim.fromIdempotencyKey(idempotencyKey), true, true, windowSeconds);
    }

    /** The claim as a comet takes it. */
    static PushClaim wire(AppendClaim claim) {
        return PushClaim.newBuilder()
                .setClaim(claim.bytes())
                .setIdempotent(claim.indexSeconds() > 0)
                .setIdempotencyWindowSeconds(claim.indexSeconds())
                .build();
    }

    static String describe(CometNode comet, Status status) {
        return "comet "
                + comet.nodeName()
                + " ("
                + comet.instanceId()
                + ") answered "
                + status.getCode()
                + (status.getDescription() == null ? "" : ": " + status.getDescription());
    }

    static String rootMessage(Throwable err) {
        Throwable t = GrpcFutures.unwrap(err);
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
