package io.pushbase.comet.subscription;

import com.codahale.metrics.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.pushbase.cluster.logging.MessageLogContext;
import io.pushbase.comet.codec.Framing;
import io.pushbase.comet.message.PushMessage;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Subscriber} on a Netty channel. Writes each message as a {@link PushMessage}; the
 * channel's pipeline frames it for its transport (TCP or WebSocket encoder).
 *
 * <p>The bound counts messages written but not yet handed to the socket: incremented by {@link
 * #deliver}, decremented by each write's completion listener (success or failure, so a closed
 * channel's dropped writes free their slots too). When a delivery finds {@code maxPending} messages
 * still pending, the channel is closed and {@code slowConsumers} incremented once.
 *
 * <p>(Pushbase, issue 14) A connection in rooms has one view per room ({@link #forRoom}): each
 * writes that room's messages (with {@code "room"} in their JSON) and they all share the
 * connection's one bound, overflow and close, so a connection in many rooms is bounded exactly as
 * one in none. The room fan-out writes a frame built once for every member ({@link #writeShared})
 * and flushes once per batch ({@link #flush}).
 *
 * <p>A writer that must not outrun the client (a resume's replay) asks {@link #whenPendingAtMost}
 * to be called back once enough of what it wrote has reached the socket, instead of writing into
 * the bound. Each view has its own waiting slot, so the key's replay and rooms' replays of one
 * connection wait side by side.
 *
 * <p>Thread-safe: the count is atomic, and Netty runs writes from other threads on the channel's
 * event loop in call order ({@link #whenPendingAtMost}, {@link #writeShared} and {@link #flush} are
 * for the event loop only). Holds only the channel, which owns every buffer; nothing to release.
 */
public final class ChannelSubscriber implements Subscriber {
    private static final Logger LOG = LoggerFactory.getLogger(ChannelSubscriber.class);

    /** One callback waiting for room in the bound (see whenPendingAtMost). */
    private record Waiter(ChannelSubscriber view, int threshold, Runnable task) {}

    /** What every view of one connection shares. */
    private static final class Outbound {
        final Channel channel;
        final int maxPending;
        final Counter slowConsumers;
        final Framing framing;
        final AtomicInteger pending = new AtomicInteger();
        final AtomicBoolean overflowed = new AtomicBoolean();
        final CompletableFuture<Void> closed = new CompletableFuture<>();
        // Event loop only.
        final List<Waiter> waiters = new ArrayList<>(2);
        // Write listeners run on the event loop, so they may run the callbacks there.
        final ChannelFutureListener onWritten = future -> written();

        Outbound(Channel channel, int maxPending, Counter slowConsumers, Framing framing) {
            this.channel = channel;
            this.maxPending = maxPending;
            this.slowConsumers = slowConsumers;
            this.framing = framing;
            channel.closeFuture().addListener(future -> closed.complete(null));
        }

        void written() {
            int now = pending.decrementAndGet();
            if (waiters.isEmpty()) {
                return;
            }
            List<Waiter> due = null;
            for (int i = waiters.size() - 1; i >= 0; i--) {
                Waiter w = waiters.get(i);
                if (now <= w.threshold()) {
                    waiters.remove(i);
                    if (due == null) {
                        due = new ArrayList<>(1);
                    }
                    due.add(0, w);
                }
            }
            if (due != null) {
                due.forEach(w -> w.task().run());
            }
        }
    }

    private final Outbound out;
    private final Subscription subscription;
    private final String room;

    /**
     * @param channel the subscribed connection; its pipeline must encode {@link PushMessage}
     * @param maxPending most messages written but not yet flushed to the socket, at least 1
     * @param slowConsumers incremented once for each connection closed for exceeding it
     */
    public ChannelSubscriber(
            Channel channel, Subscription subscription, int maxPending, Counter slowConsumers) {
        this(channel, subscription, maxPending, slowConsumers, Framing.TCP);
    }

    /**
     * @param framing how the channel's transport frames a shared room frame ({@link #writeShared})
     */
    public ChannelSubscriber(
            Channel channel,
            Subscription subscription,
            int maxPending,
            Counter slowConsumers,
            Framing framing) {
        if (maxPending < 1) {
            throw new IllegalArgumentException("maxPending must be positive: " + maxPending);
        }
        this.out =
                new Outbound(
                        Objects.requireNonNull(channel, "channel"),
                        maxPending,
                        Objects.requireNonNull(slowConsumers, "slowConsumers"),
                        Objects.requireNonNull(framing, "framing"));
        this.subscription = Objects.requireNonNull(subscription, "subscription");
        this.room = null;
    }

    private ChannelSubscriber(Outbound out, Subscription subscription, String room) {
        this.out = out;
        this.subscription = subscription;
        this.room = room;
    }

    /**
     * (Pushbase) The view of this connection that writes room {@code room}'s messages; it shares
     * this connection's bound, overflow and close.
     */
    public ChannelSubscriber forRoom(String room) {
        return new ChannelSubscriber(out, subscription, Objects.requireNonNull(room, "room"));
    }

    /** The room this view writes (null: the key's messages). */
    public String room() {
        return room;
    }

    /** How the connection's transport frames a shared frame. */
    public Framing framing() {
        return out.framing;
    }

    /** The connection. */
    public Channel channel() {
        return out.channel;
    }

    @Override
    public Subscription subscription() {
        return subscription;
    }

    @Override
    public SocketAddress remoteAddress() {
        return out.channel.remoteAddress();
    }

    @Override
    public Delivery deliver(long mid, byte[] payload) {
        PushMessage message = new PushMessage(mid, payload, subscription.messageFormat(), room);
        Delivery admitted = admit(mid);
        if (admitted != Delivery.QUEUED) {
            return admitted;
        }
        out.channel.writeAndFlush(message).addListener(out.onWritten);
        return Delivery.QUEUED;
    }

    /**
     * (Pushbase) Writes one shared frame of the room fan-out ({@link Framing#roomMessage} of this
     * connection's framing), counted against the bound like any message, without flushing: the
     * fan-out {@link #flush flushes} each connection once per batch. Event loop only.
     *
     * @param mid the message's mid (for the slow-consumer log line)
     * @param frame the shared frame; this call takes a retained duplicate, the caller keeps its own
     */
    public Delivery writeShared(long mid, ByteBuf frame) {
        Delivery admitted = admit(mid);
        if (admitted != Delivery.QUEUED) {
            return admitted;
        }
        out.channel
                .write(out.framing.outbound(frame), out.channel.newPromise())
                .addListener(out.onWritten);
        return Delivery.QUEUED;
    }

    /** Flushes what {@link #writeShared} wrote. */
    public void flush() {
        out.channel.flush();
    }

    /** Counts one more pending message, or closes a connection over its bound. */
    private Delivery admit(long mid) {
        if (!out.channel.isActive() || out.overflowed.get()) {
            return Delivery.CLOSED;
        }
        if (out.pending.incrementAndGet() > out.maxPending) {
            out.pending.decrementAndGet();
            if (out.overflowed.compareAndSet(false, true)) {
                out.slowConsumers.inc();
                try (MessageLogContext ignored = MessageLogContext.of(subscription.key(), mid)) {
                    LOG.info(
                            "Closing slow consumer {} of key {}{}: {} messages not yet written, mid"
                                    + " {} not delivered",
                            out.channel.remoteAddress(),
                            subscription.key(),
                            room == null ? "" : " (room " + room + ")",
                            out.maxPending,
                            mid);
                }
                out.channel.close();
            }
            return Delivery.OVERFLOW;
        }
        return Delivery.QUEUED;
    }

    /** Messages written but not yet handed to the socket (a snapshot, every view's). */
    public int pending() {
        return out.pending.get();
    }

    /** The bound on {@link #pending()}: one more delivery closes the connection. */
    public int maxPending() {
        return out.maxPending;
    }

    /** The event loop of the connection, where its writes complete. */
    public EventLoop eventLoop() {
        return out.channel.eventLoop();
    }

    /**
     * Runs {@code task} on the event loop once at most {@code threshold} messages are pending: at
     * once if they already are, otherwise from the write completion that brings the count there
     * (also when writes fail because the connection closed, so the task must check {@link
     * #isOpen()}). At most one task waits per view; a second call replaces the first. Event loop
     * only.
     */
    public void whenPendingAtMost(int threshold, Runnable task) {
        if (!out.channel.eventLoop().inEventLoop()) {
            throw new IllegalStateException("whenPendingAtMost is for the event loop only");
        }
        out.waiters.removeIf(w -> w.view() == this);
        if (out.pending.get() <= threshold) {
            task.run();
            return;
        }
        out.waiters.add(new Waiter(this, threshold, Objects.requireNonNull(task, "task")));
    }

    @Override
    public void close() {
        out.channel.close();
    }

    @Override
    public boolean isOpen() {
        return out.channel.isActive() && !out.overflowed.get();
    }

    @Override
    public CompletionStage<Void> closeFuture() {
        // A copy, so a caller cannot complete it.
        return out.closed.minimalCompletionStage();
    }

    @Override
    public String toString() {
        return "ChannelSubscriber{"
                + out.channel.remoteAddress()
                + ", "
                + subscription
                + (room == null ? "" : ", room=" + room)
                + "}";
    }
}
