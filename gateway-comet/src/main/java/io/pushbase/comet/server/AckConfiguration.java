package io.pushbase.comet.server;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import io.dropwizard.validation.MinDuration;
import io.pushbase.comet.ack.AckBatcher;
import io.pushbase.comet.ack.AckGate;
import io.pushbase.comet.ack.AckMetrics;
import io.pushbase.comet.ack.Acks;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.concurrent.TimeUnit;

/**
 * YAML block {@code clients.acks:} of a comet (Pushbase, acknowledgements; docs/PROTOCOL.md
 * "Acknowledgements"): the bounds of the {@link AckBatcher} and of each connection's ack rate.
 *
 * <pre>
 * enabled: true
 * maxPerSecond: 20         # acks one connection may send a second; faster is answered and closed
 * maxPending: 100000       # (key, device) pairs waiting to be sent; more new pairs are refused
 * maxBatch: 1000           # acks per AckMany call
 * flushInterval: 100ms     # longest an ack waits to be sent
 * maxInFlight: 4           # AckMany calls at once
 * </pre>
 */
public class AckConfiguration {
    private boolean enabled = true;

    @Min(1)
    @Max(100_000)
    private int maxPerSecond = 20;

    @Min(1)
    @Max(10_000_000)
    private int maxPending = 100_000;

    @Min(1)
    @Max(10_000)
    private int maxBatch = 1_000;

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    @MaxDuration(value = 1, unit = TimeUnit.MINUTES)
    private Duration flushInterval = Duration.milliseconds(100);

    @Min(1)
    @Max(1_000)
    private int maxInFlight = 4;

    @JsonProperty
    public boolean isEnabled() {
        return enabled;
    }

    @JsonProperty
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    @JsonProperty
    public int getMaxPerSecond() {
        return maxPerSecond;
    }

    @JsonProperty
    public void setMaxPerSecond(int maxPerSecond) {
        this.maxPerSecond = maxPerSecond;
    }

    @JsonProperty
    public int getMaxPending() {
        return maxPending;
    }

    @JsonProperty
    public void setMaxPending(int maxPending) {
        this.maxPending = maxPending;
    }

    @JsonProperty
    public int getMaxBatch() {
        return maxBatch;
    }

    @JsonProperty
    public void setMaxBatch(int maxBatch) {
        this.maxBatch = maxBatch;
    }

    @JsonProperty
    public Duration getFlushInterval() {
        return flushInterval;
    }

    @JsonProperty
    public void setFlushInterval(Duration flushInterval) {
        this.flushInterval = flushInterval;
    }

    @JsonProperty
    public int getMaxInFlight() {
        return maxInFlight;
    }

    @JsonProperty
    public void setMaxInFlight(int maxInFlight) {
        this.maxInFlight = maxInFlight;
    }

    /**
     * The comet's acks, sending to {@code sink}, those over HTTP checked by {@code gate}: {@link
     * Acks#off()} when disabled. The batcher is not started; {@code manage} receives it (manage it
     * after the message-node client, so it stops first and sends what waits).
     */
    public Acks build(
            AckBatcher.AckSink sink,
            AckGate gate,
            MetricRegistry metrics,
            java.util.function.Consumer<AckBatcher> manage) {
        if (!enabled) {
            return Acks.off();
        }
        AckMetrics ackMetrics = new AckMetrics(metrics);
        AckBatcher batcher =
                new AckBatcher(
                        sink,
                        maxPending,
                        maxBatch,
                        flushInterval.toMilliseconds(),
                        maxInFlight,
                        ackMetrics);
        metrics.gauge(AckMetrics.PREFIX + ".pending", () -> () -> batcher.pending());
        manage.accept(batcher);
        return new Acks(batcher, maxPerSecond, ackMetrics, gate);
    }
}
