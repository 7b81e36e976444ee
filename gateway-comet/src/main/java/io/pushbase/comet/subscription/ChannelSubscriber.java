package io.pushbase.comet.subscription;

import com.codahale.metrics.Counter;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.pushbase.cluster.logging.MessageLogContext;
import io.pushbase.comet.message.PushMessage;
import java.net.SocketAddress;
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
 * <p>A writer that must not outrun the client (a resume's replay) asks {@link #whenPendingAtMost}
 * to be called back once enough of what it wrote has reached the socket, instead of writing into
 * the bound.
 *
 * <p>Thread-safe: the count is atomic, and Netty runs writes from other threads on the channel's
 * event loop in call order ({@link #whenPendingAtMost} is for the event loop only). Holds only the
 * channel, which owns every buffer; nothing to release.
 */
public final class ChannelSubscriber implements Subscriber {
    private static final Logger LOG = LoggerFactory.getLogger(ChannelSubscriber.class);

    private final Channel channel;
    private final Subscription subscription;
    private final int maxPending;
    private final Counter slowConsumers;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicBoolean overflowed = new AtomicBoolean();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    // Event loop only: the one callback waiting for room (see whenPendingAtMost).
    private Runnable onRoom;
    private int roomThreshold;
    // Write listeners run on the event loop, so they may run the callback there.
    private final ChannelFutureListener onWritten = future -> written();

    /**
     * @param channel the subscribed connection; its pipeline must encode {@link PushMessage}
     * @param maxPending most messages written but not yet flushed to the socket, at least 1
     * @param slowConsumers incremented once for each connection closed for exceeding it
     */
    public ChannelSubscriber(
            Channel channel, Subscription subscription, int maxPending, Counter slowConsumers) {
        if (maxPending < 1) {
            throw new IllegalArgumentException("maxPending must be positive: " + maxPending);
        }
        this.channel = Objects.requireNonNull(channel, "channel");
        this.subscription = Objects.requireNonNull(subscription, "subscription");
        this.maxPending = maxPending;
        this.slowConsumers = Objects.requireNonNull(slowConsumers, "slowConsumers");
        channel.closeFuture().addListener(future -> closed.complete(null));
    }

    @Override
    public Subscription subscription() {
        return subscription;
    }

    @Override
    public SocketAddress remoteAddress() {
        return channel.remoteAddress();
    }

    @Override
    public Delivery deliver(long mid, byte[] payload) {
        PushMessage message = new PushMessage(mid, payload, subscription.messageFormat());
        if (!channel.isActive() || overflowed.get()) {
            return Delivery.CLOSED;
        }
        if (pending.incrementAndGet() > maxPending) {
            pending.decrementAndGet();
            if (overflowed.compareAndSet(false, true)) {
                slowConsumers.inc();
                try (MessageLogContext ignored = MessageLogContext.of(subscription.key(), mid)) {
                    LOG.info(
                            "Closing slow consumer {} of key {}: {} messages not yet written, mid"
                                    + " {} not delivered",
                            channel.remoteAddress(),
                            subscription.key(),
                            maxPending,
                            mid);
                }
                channel.close();
            }
            return Delivery.OVERFLOW;
        }
        channel.writeAndFlush(message).addListener(onWritten);
        return Delivery.QUEUED;
    }

    /** Messages written but not yet handed to the socket (a snapshot). */
    public int pending() {
        return pending.get();
    }

    /** The bound on {@link #pending()}: one more delivery closes the connection. */
    public int maxPending() {
        return maxPending;
    }

    /** The event loop of the connection, where its writes complete. */
    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    /**
     * Runs {@code task} on the event loop once at most {@code threshold} messages are pending: at
     * once if they already are, otherwise from the write completion that brings the count there
     * (also when writes fail because the connection closed, so the task must check {@link
     * #isOpen()}). At most one task waits; a second call replaces the first. Event loop only.
     */
    public void whenPendingAtMost(int threshold, Runnable task) {
        if (!channel.eventLoop().inEventLoop()) {
            throw new IllegalStateException("whenPendingAtMost is for the event loop only");
        }
        if (pending.get() <= threshold) {
            onRoom = null;
            task.run();
            return;
        }
        roomThreshold = threshold;
        onRoom = Objects.requireNonNull(task, "task");
    }

    private void written() {
        int now = pending.decrementAndGet();
        Runnable task = onRoom;
        if (task != null && now <= roomThreshold) {
            onRoom = null;
            task.run();
        }
    }

    @Override
    public void close() {
        channel.close();
    }

    @Override
    public boolean isOpen() {
        return channel.isActive() && !overflowed.get();
    }

    @Override
    public CompletionStage<Void> closeFuture() {
        // A copy, so a caller cannot complete it.
        return closed.minimalCompletionStage();
    }

    @Override
    public String toString() {
        return "ChannelSubscriber{" + channel.remoteAddress() + ", " + subscription + "}";
    }
}
