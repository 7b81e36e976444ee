package io.pushbase.cluster.message;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.concurrent.TimeUnit;

/**
 * YAML block {@code messageNodes.batch}: how appends are batched into {@code AppendMany} calls by
 * {@link AppendBatcher}. {@code enabled: false} sends one {@code Append} per push, as before
 * batching existed.
 */
public class AppendBatchConfiguration {
    /** Batch appends (true) or send each alone (false). */
    private boolean enabled = true;

    /**
     * Most appends in one AppendMany; a full batch is sent at once. Must not exceed the message
     * nodes' {@code store.maxEntriesPerAppendMany} (default 10,000), or they refuse whole batches.
     */
    @Min(1)
    @Max(10_000)
    private int maxEntries = 256;

    /**
     * Longest an append waits for others while an AppendMany is in flight (with none in flight it
     * goes at once): the most latency batching adds.
     */
    @NotNull
    @MaxDuration(value = 1, unit = TimeUnit.SECONDS)
    private Duration maxDelay = Duration.milliseconds(1);

    /** Most appends waiting or in flight in the batcher; the next one fails at once. */
    @Min(1)
    private int maxQueued = 20_000;

    @JsonProperty
    public boolean isEnabled() {
        return enabled;
    }

    @JsonProperty
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    @JsonProperty
    public int getMaxEntries() {
        return maxEntries;
    }

    @JsonProperty
    public void setMaxEntries(int maxEntries) {
        this.maxEntries = maxEntries;
    }

    @JsonProperty
    public Duration getMaxDelay() {
        return maxDelay;
    }

    @JsonProperty
    public void setMaxDelay(Duration maxDelay) {
        this.maxDelay = maxDelay;
    }

    @JsonProperty
    public int getMaxQueued() {
        return maxQueued;
    }

    @JsonProperty
    public void setMaxQueued(int maxQueued) {
        this.maxQueued = maxQueued;
    }
}
