package io.pushbase.comet.push;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.pushbase.cluster.grpc.GrpcFutures;
import io.pushbase.cluster.logging.MessageLogContext;
import io.pushbase.cluster.message.AppendClaim;
import io.pushbase.cluster.message.KeyAppender;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;

/**
 * The part a key's and a room's push share ({@link PushPipeline}, {@link RoomPipeline}): refuses a
 * push for a name (a key or a room) this comet does not own or beyond the in-flight bound, runs a
 * name's pushes one at a time in arrival order ({@link KeySequencer}, bounded per name), appends
 * each with the name's last mid ({@link KeyAppender}), hands the taken mid to the pipeline's
 * delivery, and times and counts the outcome. Validating the input and delivering stay with the
 * pipelines, which differ there.
 *
 * <p>Refusals are {@link PushRejectedException}s that fail the push at once: {@link
 * PushRejectedException.Reason#NOT_OWNER}, {@link PushRejectedException.Reason#OVERLOADED} (the
 * in-flight bound, or the per-name queue), {@link PushRejectedException.Reason#ABANDONED} (the
 * caller gave up before the push's turn). Any other failure (the message log's, the delivery's)
 * fails the push, is counted and logged.
 *
 * <p>Metrics, under the pipeline's {@code prefix}: timer {@code prefix}, meters {@code
 * prefix.acknowledged}, {@code prefix.failed}, {@code prefix.rejected} (every refusal, including
 * the pipeline's own through {@link #refuse}), {@code prefix.duplicates}.
 *
 * <p>Thread-safe and non-blocking; one instance per pipeline, which owns it.
 */
final class SequencedPushes {
    private final String noun;
    private final String inFlightNoun;
    private final KeyAppender appender;
    private final Predicate<String> owns;
    private final KeySequencer sequencer;
    private final Semaphore inFlight;
    private final int maxInFlight;
    private final Logger log;
    private final Timer pushTimer;
    private final Meter acknowledged;
    private final Meter failed;
    private final Meter rejected;
    private final Meter duplicates;

    /**
     * @param noun what a name is, in refusals and logs ({@code key}, {@code room})
     * @param inFlightNoun what is in flight, in the overload refusal ({@code pushes})
     * @param prefix the metrics' common name ({@code comet.push})
     * @param log the pipeline's logger, so failures are logged under its name
     */
    SequencedPushes(
            String noun,
            String inFlightNoun,
            String prefix,
            KeyAppender appender,
            Predicate<String> owns,
            int maxQueuedPerName,
            int maxInFlight,
            MetricRegistry metrics,
            Logger log) {
        this.noun = noun;
        this.inFlightNoun = inFlightNoun;
        this.appender = appender;
        this.owns = owns;
        this.sequencer = new KeySequencer(maxQueuedPerName);
        this.maxInFlight = maxInFlight;
        this.inFlight = new Semaphore(maxInFlight);
        this.log = log;
        this.pushTimer = metrics.timer(prefix);
        this.acknowledged = metrics.meter(prefix + ".acknowledged");
        this.failed = metrics.meter(prefix + ".failed");
        this.rejected = metrics.meter(prefix + ".rejected");
        this.duplicates = metrics.meter(prefix + ".duplicates");
    }

    /**
     * Appends {@code payload} to {@code name} in its turn, then completes with what {@code deliver}
     * makes of the taken mid (called in the name's turn, so deliveries follow mid order).
     *
     * @param payload valid already (the pipeline checked it); not copied
     * @param duplicate whether a result answers a retry (counted as a duplicate)
     */
    <T> CompletableFuture<T> push(
            String name,
            byte[] payload,
            long expireSeconds,
            AppendClaim claim,
            BooleanSupplier abandoned,
            Function<KeyAppender.Appended, CompletableFuture<T>> deliver,
            Predicate<T> duplicate) {
        if (!owns.test(name)) {
            return refuse(
                    PushRejectedException.Reason.NOT_OWNER,
                    "this comet does not own " + noun + " '" + name + "' now");
        }
        if (!inFlight.tryAcquire()) {
            return refuse(
                    PushRejectedException.Reason.OVERLOADED,
                    maxInFlight + " " + inFlightNoun + " already in flight");
        }
        Timer.Context time = pushTimer.time();
        ByteString body = UnsafeByteOperations.unsafeWrap(payload);
        return sequencer
                .submit(
                        name,
                        state ->
                                abandoned.getAsBoolean()
                                        ? CompletableFuture.<T>failedFuture(
                                                new PushRejectedException(
                                                        PushRejectedException.Reason.ABANDONED,
                                                        "the caller gave up before the push's"
                                                                + " turn; not appended"))
                                        : appender.append(
                                                        name,
                                                        body,
                                                        expireSeconds,
                                                        state.lastMid,
                                                        claim)
                                                .thenCompose(
                                                        taken -> {
                                                            // A duplicate's mid may be an old
                                                            // one: lastMid never goes back.
                                                            state.lastMid =
                                                                    Math.max(
                                                                            state.lastMid,
                                                                            taken.mid());
                                                            return deliver.apply(taken);
                                                        }))
                .whenComplete(
                        (pushed, err) -> {
                            inFlight.release();
                            time.stop();
                            if (err == null) {
                                acknowledged.mark();
                                if (duplicate.test(pushed)) {
                                    duplicates.mark();
                                }
                            } else if (GrpcFutures.unwrap(err) instanceof PushRejectedException) {
                                rejected.mark();
                            } else {
                                failed.mark();
                                try (MessageLogContext ignored = MessageLogContext.of(name)) {
                                    log.warn(
                                            "Push to {} '{}' failed: {}",
                                            noun,
                                            name,
                                            err.toString());
                                }
                            }
                        });
    }

    /** A push refused before its turn, counted as rejected. */
    <T> CompletableFuture<T> refuse(PushRejectedException.Reason reason, String why) {
        rejected.mark();
        return CompletableFuture.failedFuture(new PushRejectedException(reason, why));
    }

    /** Why a push's message is invalid (empty, or above {@code maxBytes}), or null when not. */
    static String payloadProblem(byte[] payload, int maxBytes) {
        if (payload == null || payload.length == 0) {
            return "message must not be empty";
        }
        if (payload.length > maxBytes) {
            return "message is " + payload.length + " bytes, at most " + maxBytes + " allowed";
        }
        return null;
    }
}
