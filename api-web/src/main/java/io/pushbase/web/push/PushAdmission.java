package io.pushbase.web.push;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import io.pushbase.web.reply.Answer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The web node's bound on admin pushes in progress. A push is admitted while fewer than {@code
 * maxInFlight} are being worked on (from the request to its answer); one more is answered at once
 * as overloaded ({@link Answer#overloaded}: status 503, {@code Retry-After}, {@code ret 65535},
 * nothing stored or delivered) instead of queueing behind the others. Without it, pushes offered
 * faster than the cluster stores them queued inside the node until answers took seconds (issue 11:
 * 4,000/s offered against ~3,000/s of capacity answered after 3-5 s); with it, an application
 * server learns at once to slow down, and an admitted push waits at most for the pushes ahead of it
 * within the bound.
 *
 * <p>Metrics: gauge {@code web.push.inFlight}, meter {@code web.push.overloaded}.
 *
 * <p>Thread-safe and non-blocking.
 */
public final class PushAdmission {
    /** What a refused push is told to wait before it tries again. */
    static final int RETRY_AFTER_SECONDS = 1;

    private final int maxInFlight;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Meter overloaded;

    public PushAdmission(int maxInFlight, MetricRegistry metrics) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be at least 1");
        }
        this.maxInFlight = maxInFlight;
        this.overloaded = metrics.meter("web.push.overloaded");
        metrics.register("web.push.inFlight", (Gauge<Integer>) inFlight::get);
    }

    /**
     * Runs {@code push} if admitted, counting it until its answer completes; otherwise answers
     * overloaded without running it.
     */
    public CompletionStage<Answer> admit(Supplier<CompletionStage<Answer>> push) {
        if (inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            overloaded.mark();
            return CompletableFuture.completedFuture(
                    Answer.overloaded(
                            "overloaded: "
                                    + maxInFlight
                                    + " pushes already in progress on this web node"
                                    + " (api.maxPushesInFlight); retry after "
                                    + RETRY_AFTER_SECONDS
                                    + " s",
                            RETRY_AFTER_SECONDS));
        }
        CompletionStage<Answer> answer;
        try {
            answer = push.get();
        } catch (RuntimeException | Error e) {
            inFlight.decrementAndGet();
            throw e;
        }
        return answer.whenComplete((a, e) -> inFlight.decrementAndGet());
    }

    /** Pushes in progress now. */
    public int inFlight() {
        return inFlight.get();
    }
}
