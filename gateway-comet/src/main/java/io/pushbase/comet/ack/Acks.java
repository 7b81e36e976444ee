package io.pushbase.comet.ack;

import com.codahale.metrics.MetricRegistry;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * What a comet's connections need to take acknowledgements: the comet-wide {@link AckBatcher}, the
 * per-connection rate bound, the metrics and the {@link AckGate} of acks over HTTP. {@link #off}
 * stands for a comet without acks (then the {@code ack} command closes the connection, as any
 * command did before acks). Immutable; thread-safe as its parts.
 */
public final class Acks {
    private final AckBatcher batcher;
    private final int maxPerSecond;
    private final AckMetrics metrics;
    private final LongSupplier nanoTime;
    private final AckGate gate;

    /** Acks timed by {@link System#nanoTime()}. */
    public Acks(AckBatcher batcher, int maxPerSecond, AckMetrics metrics, AckGate gate) {
        this(batcher, maxPerSecond, metrics, gate, System::nanoTime);
    }

    /**
     * @param batcher where taken acks go; the caller manages its lifecycle
     * @param maxPerSecond most acks one connection may send per second (a token bucket of that
     *     size)
     * @param gate the token and ownership rules of acks over HTTP
     * @param nanoTime the clock of the per-connection rate bound (tests move it)
     */
    public Acks(
            AckBatcher batcher,
            int maxPerSecond,
            AckMetrics metrics,
            AckGate gate,
            LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.gate = Objects.requireNonNull(gate, "gate");
        this.batcher = Objects.requireNonNull(batcher, "batcher");
        if (maxPerSecond < 1) {
            throw new IllegalArgumentException("maxPerSecond must be positive: " + maxPerSecond);
        }
        this.maxPerSecond = maxPerSecond;
        this.metrics = metrics;
    }

    private Acks(AckMetrics metrics) {
        this.nanoTime = System::nanoTime;
        this.gate = null;
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

    /** The token and ownership rules of acks over HTTP. */
    public AckGate gate() {
        return gate;
    }

    /** The clock of the per-connection rate bound. */
    public LongSupplier nanoTime() {
        return nanoTime;
    }
}
