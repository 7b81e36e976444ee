package io.pushbase.comet.testing;

import com.codahale.metrics.MetricRegistry;
import io.pushbase.comet.replay.MessageHistory;
import io.pushbase.comet.replay.Replayer;
import io.pushbase.schema.client.MidClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** {@link Replayer}s for tests, with the shipped defaults unless said otherwise. */
public final class Replayers {
    private Replayers() {}

    /** A replayer over {@code history}, its metrics in {@code metrics}. */
    public static Replayer over(
            MessageHistory history,
            int pageSize,
            int maxConcurrentFetches,
            MetricRegistry metrics) {
        return new Replayer(
                history,
                pageSize,
                maxConcurrentFetches,
                Replayer.DEFAULT_MAX_SINCE_AHEAD,
                MidClock.system(),
                metrics);
    }

    /** For tests that never resume: every fetch fails. */
    public static Replayer withoutHistory() {
        return over(
                (key, after, limit) ->
                        CompletableFuture.failedFuture(
                                new IllegalStateException("this test has no message history")),
                Replayer.DEFAULT_PAGE_SIZE,
                Replayer.DEFAULT_MAX_CONCURRENT_FETCHES,
                new MetricRegistry());
    }

    /** The defaults' clock slack, as a mid difference (100 ns units). */
    public static long maxAheadTicks() {
        return Duration.ofMinutes(5).toNanos() / 100;
    }
}
