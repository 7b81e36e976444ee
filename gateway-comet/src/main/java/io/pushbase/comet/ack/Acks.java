package io.pushbase.comet.ack;

import com.codahale.metrics.MetricRegistry;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * What a comet's connections need to take acknowledgements: the comet-wide {@link AckBatcher}, the
 * per-connection rate bound and the metrics. {@link #off} stands for a comet without acks (then the
 * {@code ack} command closes the connection, as any command did before acks). Immutable;
 * thread-safe as its parts.
 */
public final class Acks {
    private final AckBatcher batcher;
    private final int maxPerSecond;
    private final AckMetrics metrics;
    private final LongSupplier nanoTime;

    /** Acks timed by {@link System#nanoTime()}. */
    public Acks(AckBatcher batcher, int maxPerSecond, AckMetrics metrics) {
        this(batcher, maxPerSecond, metrics, System::nanoTime);
    }

    /**
     * @param batcher where taken acks go; the caller manages its lifecycle
     * @param maxPerSecond most acks one connection may send per second (a token bucket of that
     *     size)
     * @param nanoTime the clock of the per-connection rate bound (tests move it)
     */
    public Acks(AckBatcher batcher, int maxPerSecond, AckMetrics metrics, LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.batcher = Objects.requireNonNull(batcher, "batcher");
        if (maxPerSecond < 1) {
            throw new IllegalArgumentException("maxPerSecond must be positive: " + maxPerSecond);
        }
        this.maxPerSecond = maxPerSecond;
        this.metrics = metrics;
    }

    private Acks(AckMetrics metrics) {
        this.nanoTime = System::nanoTime;
        this.batcher = null;
        this.maxPerSecond = 1;
        this.metrics = metrics;
    }

    /** No acks: the {@code ack} command closes the connection. Metrics in their own registry. */
    public static Acks off() {
        return new Acks(new AckMetrics(new MetricRegistry()));
    }

    public boolean enabled() {
        return batcher != null;
    }

    public AckBatcher batcher() {
        return batcher;
    }

    public int maxPerSecond() {
        return maxPerSecond;
    }

    public AckMetrics metrics() {
        return metrics;
    }

    /** The clock of the per-connection rate bound. */
    public LongSupplier nanoTime() {
        return nanoTime;
    }
}
