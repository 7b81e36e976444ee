package io.pushbase.comet.replay;

import com.codahale.metrics.Counter;
import io.pushbase.cluster.logging.MessageLogContext;
import io.pushbase.comet.codec.Reply;
import io.pushbase.comet.subscription.ChannelSubscriber;
import io.pushbase.comet.subscription.Subscriber;
import io.pushbase.comet.subscription.Subscription;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscriber of a connection that resumes ({@code since}): what the key's channel holds, so
 * live pushes reach it from the moment it is admitted, before its replay reads the first page. The
 * client gets the union of the replayed (stored) messages and the live ones, each once, in mid
 * order:
 *
 * <ul>
 *   <li>while the replay runs, live messages are held here (the push pipeline delivers one key's
 *       messages in mid order);
 *   <li>each replayed message ({@link #replay}) first releases the held messages with a smaller mid
 *       — messages that were never stored (online-only pushes), since a stored one would have been
 *       replayed before — and drops a held message with the same mid;
 *   <li>{@link #goLive} releases what is still held, and from then on messages go straight to the
 *       connection's {@link ChannelSubscriber};
 *   <li>throughout, a message with a mid not above the last one replayed (or {@code since}) is
 *       dropped: the client has it. A push's delivery can reach this subscriber after the replay
 *       read the same message from the store, even after the switch to live delivery; and since a
 *       key's next push is appended only after the previous one was delivered, a late delivery with
 *       a mid not above the last replayed one is always a message the replay sent.
 * </ul>
 *
 * <p>(Pushbase, issue 15) A resume from a device ({@code since=@<device>}) is admitted before its
 * {@code since} is known: the replay reads the device's cursor first and sets it ({@link
 * #resumeFrom}). Until then every live message is held (within the same bound); the ones at or
 * below the cursor are dropped when it is set.
 *
 * <p><b>Bounded:</b> at most the connection's {@link ChannelSubscriber#maxPending()} messages are
 * held (the outbound bound it would have without a resume). One more closes the connection, counted
 * as a slow consumer, as a full outbound queue does: the client reconnects and resumes again.
 * Released messages count against the connection's outbound bound like any other.
 *
 * <p><b>Threading:</b> {@link #deliver} from any thread; {@link #replay} and {@link #goLive} from
 * the connection's event loop. The hold is guarded by this object's monitor, and released messages
 * are written under it, so a delivery that waits for the monitor is written after them. Holds
 * references to pushed payloads (shared, never copied); nothing to release.
 */
public final class ResumingSubscriber implements Subscriber {
    private static final Logger LOG = LoggerFactory.getLogger(ResumingSubscriber.class);

    /** {@link #since()} of a device resume whose cursor is not read yet: below every mid. */
    static final long UNKNOWN = -1;

    private record Held(long mid, byte[] payload) {}

    private final ChannelSubscriber target;
    private final Consumer<Reply> status;
    private final String device;
    // The client's largest mid; for a device resume, UNKNOWN until resumeFrom (event loop).
    private volatile long since;
    private final Counter slowConsumers;
    private final ArrayDeque<Held> held = new ArrayDeque<>(); // guarded by this
    private boolean overflowed; // guarded by this

    // The largest mid the client has: since, then each replayed mid. Written under the monitor
    // (event loop), read by live deliveries without it.
    private volatile long lastReplayed;

    // Set once, under the monitor, after the held messages were written: then deliveries skip it.
    private volatile boolean live;

    // (Pushbase, rooms) Set once by cancel(): the client left the room; nothing more is written.
    private volatile boolean cancelled;

    /**
     * @param target the connection, which also bounds the hold ({@link
     *     ChannelSubscriber#maxPending()})
     * @param since the client's largest mid
     * @param slowConsumers incremented when the hold overflows and the connection is closed
     * @param status writes a reply to the connection in its transport's framing (the completeness
     *     answer)
     */
    public ResumingSubscriber(
            ChannelSubscriber target, long since, Counter slowConsumers, Consumer<Reply> status) {
        this(target, null, since, slowConsumers, status);
    }

    private ResumingSubscriber(
            ChannelSubscriber target,
            String device,
            long since,
            Counter slowConsumers,
            Consumer<Reply> status) {
        this.target = Objects.requireNonNull(target, "target");
        this.status = Objects.requireNonNull(status, "status");
        this.device = device;
        this.since = since;
        this.lastReplayed = since;
        this.slowConsumers = Objects.requireNonNull(slowConsumers, "slowConsumers");
    }

    /**
     * (Pushbase, issue 15) A subscriber resuming after {@code device}'s cursor, which its replay
     * reads before the first page ({@link #resumeFrom}); holds every live message until then.
     */
    public static ResumingSubscriber fromDevice(
            ChannelSubscriber target,
            String device,
            Counter slowConsumers,
            Consumer<Reply> status) {
        return new ResumingSubscriber(
                target, Objects.requireNonNull(device, "device"), UNKNOWN, slowConsumers, status);
    }

    /** (Pushbase) The device whose cursor this resume starts from; null for a mid {@code since}. */
    public String device() {
        return device;
    }

    /** Whether the replay must read the device's cursor before its first page. */
    boolean awaitsCursor() {
        return device != null && since == UNKNOWN;
    }

    /**
     * (Pushbase, issue 15) Sets the mid a device resume starts after (its cursor, or 0 for a device
     * without one) and drops the live messages held at or below it: the device has them. Event loop
     * only, once, before the first page.
     */
    void resumeFrom(long cursor) {
        if (cursor < 0) {
            throw new IllegalArgumentException("cursor must not be negative: " + cursor);
        }
        synchronized (this) {
            since = cursor;
            lastReplayed = cursor;
            held.removeIf(h -> h.mid() <= cursor);
        }
    }

    /** The connection this subscriber writes to; the replay writes its pages there directly. */
    public ChannelSubscriber target() {
        return target;
    }

    /** The mid the client resumes after ({@link #UNKNOWN} while a device's cursor is read). */
    public long since() {
        return since;
    }

    /** Whether the replay ended and live messages go straight to the connection. */
    public boolean isLive() {
        return live;
    }

    /**
     * (Pushbase, issue 14) The log this subscriber resumes: its connection view's room, else the
     * key.
     */
    public String logName() {
        return target.room() != null ? target.room() : target.subscription().key();
    }

    /**
     * (Pushbase, issue 14) Stops writing, for a room the client left while its replay ran: held
     * messages are dropped, the replay ends at its next step (its next page is not written), and no
     * later delivery is written. The connection stays open. Idempotent.
     */
    public void cancel() {
        synchronized (this) {
            cancelled = true;
            held.clear();
        }
    }

    /** Live messages held now (a snapshot). */
    public synchronized int held() {
        return held.size();
    }

    /** The largest mid the client was sent by the replay ({@code since} before the first). */
    public long lastReplayed() {
        return lastReplayed;
    }

    @Override
    public Delivery deliver(long mid, byte[] payload) {
        if (payload.length == 0) {
            throw new IllegalArgumentException("payload must not be empty");
        }
        if (cancelled) {
            return Delivery.CLOSED;
        }
        if (!live) {
            synchronized (this) {
                if (!live) {
                    return hold(mid, payload);
                }
            }
        }
        if (mid <= lastReplayed) {
            return Delivery.QUEUED; // replayed already: the client has it
        }
        return target.deliver(mid, payload);
    }

    private Delivery hold(long mid, byte[] payload) {
        if (overflowed || cancelled || !target.isOpen()) {
            return Delivery.CLOSED;
        }
        if (mid <= lastReplayed) {
            return Delivery.QUEUED; // replayed already: the client has it
        }
        if (held.size() >= target.maxPending()) {
            overflowed = true;
            held.clear();
            slowConsumers.inc();
            try (MessageLogContext ignored = MessageLogContext.of(key(), mid)) {
                LOG.info(
                        "Closing slow consumer {} of key {}: {} live messages held while it"
                                + " resumes after {}, mid {} not delivered",
                        target.remoteAddress(),
                        key(),
                        target.maxPending(),
                        since == UNKNOWN
                                ? "device " + device + "'s cursor (not read yet)"
                                : "mid " + since,
                        mid);
            }
            target.close();
            return Delivery.OVERFLOW;
        }
        held.add(new Held(mid, payload));
        return Delivery.QUEUED;
    }

    /**
     * Writes the completeness answer ({@link Reply#RESUME_COMPLETE} or {@link
     * Reply#RESUME_TRUNCATED}); event loop only, before the first replayed message. Live messages
     * are held until {@link #goLive}, so none can overtake it.
     */
    void answer(boolean complete) {
        synchronized (this) {
            if (live || overflowed || cancelled || !target.isOpen()) {
                return;
            }
            status.accept(complete ? Reply.RESUME_COMPLETE : Reply.RESUME_TRUNCATED);
        }
    }

    /**
     * Writes one replayed (stored) message, after the held messages with a smaller mid (dropping a
     * held one with the same mid). Event loop only, before {@link #goLive}; {@code mid} must be
     * above every mid replayed before.
     *
     * @return {@link Delivery#QUEUED} when it was written; otherwise the connection is closed or
     *     closing and the replay must stop
     */
    Delivery replay(long mid, byte[] payload) {
        synchronized (this) {
            if (live || overflowed || cancelled) {
                return Delivery.CLOSED;
            }
            for (Held h = held.peek(); h != null && h.mid() <= mid; h = held.peek()) {
                held.poll();
                if (h.mid() < mid && target.deliver(h.mid(), h.payload()) != Delivery.QUEUED) {
                    return Delivery.CLOSED;
                }
            }
            lastReplayed = mid;
            return target.deliver(mid, payload);
        }
    }

    /**
     * Ends the hold: writes what is still held (every mid above the last replayed one) in order,
     * and sends every later message straight to the connection. Call once, on the connection's
     * event loop, after the replay's last page was flushed. Nothing happens once the connection
     * closed.
     */
    void goLive() {
        synchronized (this) {
            if (live || overflowed || cancelled) {
                return;
            }
            for (Held h; (h = held.poll()) != null; ) {
                if (h.mid() > lastReplayed
                        && target.deliver(h.mid(), h.payload()) != Delivery.QUEUED) {
                    break;
                }
            }
            held.clear();
            live = true;
        }
    }

    private String key() {
        return logName();
    }

    @Override
    public Subscription subscription() {
        return target.subscription();
    }

    @Override
    public SocketAddress remoteAddress() {
        return target.remoteAddress();
    }

    @Override
    public void close() {
        target.close();
    }

    @Override
    public boolean isOpen() {
        return target.isOpen();
    }

    @Override
    public CompletionStage<Void> closeFuture() {
        return target.closeFuture();
    }

    @Override
    public String toString() {
        return "ResumingSubscriber{"
                + target
                + (device != null ? ", device=" + device : "")
                + ", since="
                + since
                + ", live="
                + live
                + "}";
    }
}
