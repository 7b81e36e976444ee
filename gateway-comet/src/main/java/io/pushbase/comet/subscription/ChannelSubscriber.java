package io.pushbase.comet.subscription;

import com.codahale.metrics.Counter;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
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
 * <p>Thread-safe: the count is atomic, and Netty runs writes from other threads on the channel's
 * event loop in call order. Holds only the channel, which owns every buffer; nothing to release.
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
    private final ChannelFutureListener onWritten = future -> pending.decrementAndGet();

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
