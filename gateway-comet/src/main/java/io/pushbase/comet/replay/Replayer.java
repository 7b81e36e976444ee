package io.pushbase.comet.replay;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import io.pushbase.comet.codec.Reply;
import io.pushbase.comet.subscription.ChannelSubscriber;
import io.pushbase.schema.client.MidClock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The comet's resume on subscribe (docs/REPLAY.md): which {@code since} it accepts ({@link
 * #latestSince}), the {@link ResumingSubscriber} a resuming connection is admitted as, and the
 * replay that then pages the key's stored messages to it, {@code pageSize} messages per fetch,
 * every fetch within the comet's {@link ReplaySlots}.
 *
 * <p>Use: {@link #subscriber} before asking the gate (so the key's channel holds the resuming
 * subscriber, and live pushes are held, before the first page is read), then {@link #start} once
 * admitted. A refused connection is never started and holds nothing.
 *
 * <p>Thread-safe; one per comet, shared by both transports. Metrics: {@link ReplayMetrics}.
 */
public final class Replayer {
    /** Default messages per fetch: the message nodes' default per-key cap. */
    public static final int DEFAULT_PAGE_SIZE = 100;

    /** Default fetches of replays in flight per comet. */
    public static final int DEFAULT_MAX_CONCURRENT_FETCHES = 32;

    /** Default slack for a {@code since} ahead of this comet's clock (other nodes' clocks). */
    public static final Duration DEFAULT_MAX_SINCE_AHEAD = Duration.ofMinutes(5);

    private final MessageHistory history;
    private final DeviceCursors cursors;
    private final ReplaySlots slots;
    private final int maxConcurrentFetches;
    private final int pageSize;
    private final MidClock clock;
    private final long maxAheadTicks;
    private final ReplayMetrics metrics;

    /**
     * @param history the message nodes' stored messages
     * @param pageSize messages per fetch, at least 1 (a connection's pages are also at most its
     *     outbound bound)
     * @param maxConcurrentFetches replays with a fetch in flight at once, at least 1
     * @param maxSinceAhead how far ahead of {@code clock} a {@code since} may be
     */
    public Replayer(
            MessageHistory history,
            int pageSize,
            int maxConcurrentFetches,
            Duration maxSinceAhead,
            MidClock clock,
            MetricRegistry metrics) {
        this(
                history,
                DeviceCursors.NONE,
                pageSize,
                maxConcurrentFetches,
                maxSinceAhead,
                clock,
                metrics);
    }

    /**
     * @param cursors (Pushbase, issue 15) the message nodes' device cursors, read by a resume from
     *     a device ({@code since=@<device>})
     */
    public Replayer(
            MessageHistory history,
            DeviceCursors cursors,
            int pageSize,
            int maxConcurrentFetches,
            Duration maxSinceAhead,
            MidClock clock,
            MetricRegistry metrics) {
        if (pageSize < 1) {
            throw new IllegalArgumentException("pageSize must be positive: " + pageSize);
        }
        if (maxSinceAhead.isNegative()) {
            throw new IllegalArgumentException("maxSinceAhead must not be negative");
        }
        this.history = Objects.requireNonNull(history, "history");
        this.cursors = Objects.requireNonNull(cursors, "cursors");
        this.slots = new ReplaySlots(maxConcurrentFetches);
        this.maxConcurrentFetches = maxConcurrentFetches;
        this.pageSize = pageSize;
        this.clock = Objects.requireNonNull(clock, "clock");
        // Mids count 100 ns units.
        this.maxAheadTicks = Math.min(maxSinceAhead.toNanos() / 100, Long.MAX_VALUE / 2);
        this.metrics = new ReplayMetrics(metrics, slots);
    }

    private Replayer(Replayer shared, MessageHistory history) {
        this.history = Objects.requireNonNull(history, "history");
        this.cursors = shared.cursors;
        this.slots = shared.slots;
        this.maxConcurrentFetches = shared.maxConcurrentFetches;
        this.pageSize = shared.pageSize;
        this.clock = shared.clock;
        this.maxAheadTicks = shared.maxAheadTicks;
        this.metrics = shared.metrics;
    }

    /**
     * (Pushbase, issue 14) A replayer of other logs — rooms' — through {@code history} (the message
     * nodes' room {@code Fetch}), sharing this one's slots, page size, since rule and metrics: a
     * room's resume is the same replay as a key's ({@code ResumingSubscriber.logName()} names what
     * it reads), and both count against one {@code maxConcurrentFetches}.
     */
    public Replayer withHistory(MessageHistory history) {
        return new Replayer(this, history);
    }

    /** The largest {@code since} accepted now: the clock as a mid plus the slack. */
    public long latestSince() {
        return clock.now() + maxAheadTicks;
    }

    /**
     * The subscriber to admit for a connection resuming after {@code since}: it holds live messages
     * until {@link #start} has replayed the stored ones.
     *
     * @param slowConsumers the transport's counter for connections closed for not keeping up
     * @param status writes a reply in the connection's transport framing (the completeness answer,
     *     {@code +r complete} / {@code +r truncated})
     */
    public ResumingSubscriber subscriber(
            ChannelSubscriber connection,
            long since,
            Counter slowConsumers,
            Consumer<Reply> status) {
        return new ResumingSubscriber(connection, since, slowConsumers, status);
    }

    /**
     * (Pushbase, issue 15) The subscriber to admit for a connection resuming after {@code device}'s
     * cursor ({@code since=@<device>}): {@link #start} reads the cursor first, then replays as
     * {@link #subscriber} would after it (after 0 when the device has none).
     */
    public ResumingSubscriber deviceSubscriber(
            ChannelSubscriber connection,
            String device,
            Counter slowConsumers,
            Consumer<Reply> status) {
        return ResumingSubscriber.fromDevice(connection, device, slowConsumers, status);
    }

    /**
     * Starts the replay of an admitted subscriber; on its connection's event loop. Returns at once:
     * the pages follow asynchronously, then live delivery.
     */
    public void start(ResumingSubscriber subscriber) {
        new Replay(subscriber, history, cursors, slots, pageSize, metrics).start();
    }

    /** The comet's bound on fetches in flight (for its gauges and tests). */
    public ReplaySlots slots() {
        return slots;
    }

    public int pageSize() {
        return pageSize;
    }
}
