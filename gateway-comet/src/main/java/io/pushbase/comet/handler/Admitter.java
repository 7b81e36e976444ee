package io.pushbase.comet.handler;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.AttributeKey;
import io.pushbase.comet.codec.Reply;
import io.pushbase.comet.connection.ConnectionMetrics;
import io.pushbase.comet.connection.ConnectionSettings;
import io.pushbase.comet.replay.Replayer;
import io.pushbase.comet.replay.ResumingSubscriber;
import io.pushbase.comet.subscription.Admission;
import io.pushbase.comet.subscription.ChannelSubscriber;
import io.pushbase.comet.subscription.InvalidSubscriptionException;
import io.pushbase.comet.subscription.Subscriber;
import io.pushbase.comet.subscription.Subscription;
import io.pushbase.comet.subscription.SubscriptionGate;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What TCP and WebSocket do alike once a first request is read: a parsed subscription goes to the
 * {@link SubscriptionGate} (wrapped in a bounded {@link ChannelSubscriber}); admission is counted
 * and answered {@code +h} before the connection switches to heartbeat mode; a refusal ({@code -p}
 * for bad parameters, {@code -a}, {@code -c}, {@code -n} from the gate) is counted, answered and
 * followed by a close. How a reply is framed and how the pipeline switches is the {@link
 * Transport}'s part.
 *
 * <p>(Pushbase) A subscription with {@code since} is admitted as the {@link Replayer}'s {@link
 * ResumingSubscriber}, so its key's channel holds it (and live pushes are held for it) before the
 * replay reads anything; the replay starts after {@code +h} and the switch to heartbeat mode, so
 * heartbeats are answered while it runs.
 *
 * <p>Stateless apart from its collaborators; used on event loops, must not block (neither must the
 * gate).
 */
final class Admitter {
    private static final Logger LOG = LoggerFactory.getLogger(Admitter.class);

    /** The transport-specific part of answering a subscription. */
    interface Transport {
        /** Writes and flushes one reply in the transport's framing. */
        default ChannelFuture write(ChannelHandlerContext ctx, Reply reply) {
            return ctx.writeAndFlush(frame(ctx.alloc(), reply));
        }

        /**
         * Writes and flushes the error reply {@code reply}; the connection is closed once it is
         * written. {@code reason} says why, for a transport whose answer can carry it.
         */
        default ChannelFuture refuse(ChannelHandlerContext ctx, Reply reply, String reason) {
            return write(ctx, reply);
        }

        /** One reply in the transport's framing, as written to the channel. */
        Object frame(ByteBufAllocator alloc, Reply reply);

        /** Swaps the connection's pipeline to heartbeat mode after {@code +h} was written. */
        void switchToHeartbeats(ChannelHandlerContext ctx, Subscription subscription);
    }

    /**
     * (Pushbase) The admitted subscription of a connection, set before the switch to heartbeat
     * mode: what its commands ({@link AckHandler}) are checked against.
     */
    static final AttributeKey<Subscription> SUBSCRIPTION =
            AttributeKey.valueOf("pushbase.subscription");

    private final SubscriptionGate gate;
    private final Replayer replayer;
    private final ConnectionSettings settings;
    private final ConnectionMetrics metrics;

    Admitter(
            SubscriptionGate gate,
            Replayer replayer,
            ConnectionSettings settings,
            ConnectionMetrics metrics) {
        this.gate = Objects.requireNonNull(gate, "gate");
        this.replayer = Objects.requireNonNull(replayer, "replayer");
        this.settings = settings;
        this.metrics = metrics;
    }

    /** Asks the gate about {@code subscription} and answers the client either way. */
    void admit(ChannelHandlerContext ctx, Subscription subscription, Transport transport) {
        ChannelSubscriber connection =
                new ChannelSubscriber(
                        ctx.channel(),
                        subscription,
                        settings.maxPendingMessages(),
                        metrics.slowConsumers());
        ResumingSubscriber resuming =
                subscription.since().isPresent()
                        ? replayer.subscriber(
                                connection,
                                subscription.since().getAsLong(),
                                metrics.slowConsumers(),
                                // From the channel's tail: this handler is replaced by then.
                                reply ->
                                        ctx.channel()
                                                .writeAndFlush(
                                                        transport.frame(
                                                                ctx.channel().alloc(), reply)))
                        : null;
        Subscriber subscriber = resuming != null ? resuming : connection;
        Admission admission =
                Objects.requireNonNull(gate.admit(subscription, subscriber), "gate's admission");
        Reply refusal = replyFor(admission);
        if (refusal != null) {
            refuse(ctx, refusal, admission + " " + subscription, transport);
            return;
        }
        metrics.subscribed().inc();
        ctx.channel().attr(SUBSCRIPTION).set(subscription);
        LOG.debug("{} subscribed: {}", ctx.channel().remoteAddress(), subscription);
        // The reply goes out before any heartbeat answer the replacement handlers write.
        transport.write(ctx, Reply.HEARTBEAT);
        transport.switchToHeartbeats(ctx, subscription);
        if (resuming != null) {
            replayer.start(resuming);
        }
    }

    /** Answers bad parameters {@code -p}, counting a refused key or since apart too; closes. */
    void refuseInvalid(
            ChannelHandlerContext ctx, InvalidSubscriptionException invalid, Transport transport) {
        switch (invalid.rule()) {
            case KEY -> metrics.rejectedKey().inc();
            case SINCE -> metrics.rejectedSince().inc();
            case OTHER -> {}
        }
        refuse(ctx, Reply.PARAM, invalid.getMessage(), transport);
    }

    /** Answers {@code reply} and closes the connection. */
    void refuse(ChannelHandlerContext ctx, Reply reply, String reason, Transport transport) {
        metrics.rejected(reply).inc();
        LOG.debug("Refusing {} with {}: {}", ctx.channel().remoteAddress(), reply.name(), reason);
        transport.refuse(ctx, reply, reason).addListener(ChannelFutureListener.CLOSE);
    }

    /** The error reply for each refusing admission; null for OK. */
    static Reply replyFor(Admission admission) {
        return switch (admission) {
            case OK -> null;
            case REJECT_AUTH -> Reply.AUTH;
            case REJECT_CHANNEL -> Reply.CHANNEL;
            case REJECT_NOT_OWNER -> Reply.NODE;
        };
    }
}
