package io.pushbase.comet.server;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDuration;
import io.pushbase.comet.replay.DeviceCursors;
import io.pushbase.comet.replay.MessageHistory;
import io.pushbase.comet.replay.Replayer;
import io.pushbase.schema.client.MidClock;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.concurrent.TimeUnit;

/**
 * YAML block {@code clients.replay:} of a comet: the bounds of resume on subscribe (Pushbase's
 * {@code since}, docs/REPLAY.md). Builds the comet's {@link Replayer}.
 *
 * <pre>
 * pageSize: 100              # stored messages per Fetch (at most maxPendingMessages are used)
 * maxConcurrentFetches: 32   # replay Fetches in flight per comet; the others wait their turn
 * maxSinceAhead: 5m          # a since further ahead of this comet's clock is answered -p
 * </pre>
 */
public class ReplayConfiguration {
    /**
     * Stored messages read per {@code Fetch}, and so the most a replay writes before it waits for
     * the client to read them. A connection's pages are at most its {@code maxPendingMessages} (the
     * replay writes a page only when the outbound queue has room for all of it); the message nodes
     * answer at most their per-key cap ({@code store.maxStoredPerKey}, 100) per call whatever is
     * asked.
     */
    @Min(1)
    @Max(10_000)
    private int pageSize = Replayer.DEFAULT_PAGE_SIZE;

    /** Replays with a {@code Fetch} in flight at the message nodes at once; the rest queue. */
    @Min(1)
    @Max(10_000)
    private int maxConcurrentFetches = Replayer.DEFAULT_MAX_CONCURRENT_FETCHES;

    /**
     * How far ahead of this comet's clock a {@code since} may be: mids are time-like, but run ahead
     * of this clock by as much as another node's clock does.
     */
    @NotNull
    @MaxDuration(value = 7, unit = TimeUnit.DAYS)
    private Duration maxSinceAhead = Duration.minutes(Replayer.DEFAULT_MAX_SINCE_AHEAD.toMinutes());

    @JsonProperty
    public int getPageSize() {
        return pageSize;
    }

    @JsonProperty
    public void setPageSize(int pageSize) {
        this.pageSize = pageSize;
    }

    @JsonProperty
    public int getMaxConcurrentFetches() {
        return maxConcurrentFetches;
    }

    @JsonProperty
    public void setMaxConcurrentFetches(int maxConcurrentFetches) {
        this.maxConcurrentFetches = maxConcurrentFetches;
    }

    @JsonProperty
    public Duration getMaxSinceAhead() {
        return maxSinceAhead;
    }

    @JsonProperty
    public void setMaxSinceAhead(Duration maxSinceAhead) {
        this.maxSinceAhead = maxSinceAhead;
    }

    /**
     * The comet's replayer, reading stored messages from {@code history} and (Pushbase, issue 15)
     * device cursors from {@code cursors}.
     */
    public Replayer build(
            MessageHistory history, DeviceCursors cursors, MidClock clock, MetricRegistry metrics) {
        return new Replayer(
                history,
                cursors,
                pageSize,
                maxConcurrentFetches,
                maxSinceAhead.toJavaDuration(),
                clock,
                metrics);
    }
}
