package io.pushbase.comet.replay;

import com.codahale.metrics.Counter;
import io.pushbase.cluster.logging.MessageLogContext;
import io.pushbase.comet.subscription.ChannelSubscriber;
import io.pushbase.comet.subscription.Subscriber;
import io.pushbase.comet.subscription.Subscription;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscriber of a connection that resumes ({@code since}): what the key's channel holds, so
 * live pushes reach it from the moment it is admitted, before its replay reads the first page.
 * Until the replay ends, live messages are held here in mid order (the push pipeline delivers one
 * key's messages in mid order); {@link #goLive} then writes the held messages with a mid above the
 * last replayed one, drops the others (the replay sent them already), and from then on every
 * message goes straight to the connection's {@link ChannelSubscriber}. So the client gets every
 * message once and in mid order across the seam.
 *
 * <p><b>Bounded:</b> at most the connection's {@link ChannelSubscriber#maxPending()} messages are
 * held (the outbound bound it would have without a resume, into which {@link #goLive} releases them
 * once the replay's writes are flushed). One more closes the connection, counted as a slow
 * consumer, as a full outbound queue does: the client reconnects and resumes again.
 *
 * <p><b>Threading:</b> {@link #deliver} from any thread; {@link #goLive} from the connection's
 * event loop. The hold is guarded by this object's monitor; releasing writes under it, so a
 * delivery that waits for the monitor is written after every released message. Holds references to
 * pushed payloads (shared, never copied); nothing to release.
 */
public final class ResumingSubscriber implements Subscriber {
    private static final Logger LOG = LoggerFactory.getLogger(ResumingSubscriber.class);

    private record Held(long mid, byte[] payload) {}

    private final ChannelSubscriber target;
    private final long since;
    private final Counter slowConsumers;
    private final ArrayDeque<Held> held = new ArrayDeque<>(); // guarded by this
    private boolean overflowed; // guarded by this

    // Set once, under the monitor, after the held messages were written: then deliveries skip it.
    private volatile boolean live;

    /**
     * @param target the connection, which also bounds the hold ({@link
     *     ChannelSubscriber#maxPending()})
     * @param since the client's largest mid
     * @param slowConsumers incremented when the hold overflows and the connection is closed
     */
    public ResumingSubscriber(ChannelSubscriber target, long since, Counter slowConsumers) {
        this.target = Objects.requireNonNull(target, "target");
        this.since = since;
        this.slowConsumers = Objects.requireNonNull(slowConsumers, "slowConsumers");
    }

    /** The connection this subscriber writes to; the replay writes its pages there directly. */
    public ChannelSubscriber target() {
        return target;
    }

    /** The mid the client resumes after. */
    public long since() {
        return since;
    }

    /** Whether the replay ended and live messages go straight to the connection. */
    public boolean isLive() {
        return live;
    }

    /** Live messages held now (a snapshot). */
    public synchronized int held() {
        return held.size();
    }

    @Override
    public Delivery deliver(long mid, byte[] payload) {
        if (!live) {
            synchronized (this) {
                if (!live) {
                    return hold(mid, payload);
                }
            }
        }
        return target.deliver(mid, payload);
    }

    private Delivery hold(long mid, byte[] payload) {
        if (payload.length == 0) {
            throw new IllegalArgumentException("payload must not be empty");
        }
        if (overflowed || !target.isOpen()) {
            return Delivery.CLOSED;
        }
        if (held.size() >= target.maxPending()) {
            overflowed = true;
            held.clear();
            slowConsumers.inc();
            try (MessageLogContext ignored = MessageLogContext.of(key(), mid)) {
                LOG.info(
                        "Closing slow consumer {} of key {}: {} live messages held while it"
                                + " resumes after mid {}, mid {} not delivered",
                        target.remoteAddress(),
                        key(),
                        target.maxPending(),
                        since,
                        mid);
            }
            target.close();
            return Delivery.OVERFLOW;
        }
        held.add(new Held(mid, payload));
        return Delivery.QUEUED;
    }

    /**
     * Ends the hold: writes the held messages with a mid above {@code lastReplayed} in order,
     * forgets the rest, and sends every later message straight to the connection. Call once, on the
     * connection's event loop, after the replay's last page was flushed. Nothing happens once the
     * connection closed.
     */
    void goLive(long lastReplayed) {
        synchronized (this) {
            if (live || overflowed) {
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
        return target.subscription().key();
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
        return "ResumingSubscriber{" + target + ", since=" + since + ", live=" + live + "}";
    }
}
