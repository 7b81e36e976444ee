package io.pushbase.comet.handler;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.AttributeKey;
import io.pushbase.comet.codec.Framing;
import io.pushbase.comet.codec.Reply;
import io.pushbase.comet.codec.RoomReply;
import io.pushbase.comet.connection.ConnectionMetrics;
import io.pushbase.comet.connection.ConnectionSettings;
import io.pushbase.comet.replay.Replayer;
import io.pushbase.comet.replay.ResumingSubscriber;
import io.pushbase.comet.room.ConnectionRooms;
import io.pushbase.comet.room.RoomJoins;
import io.pushbase.comet.subscription.Admission;
import io.pushbase.comet.subscription.ChannelSubscriber;
import io.pushbase.comet.subscription.InvalidSubscriptionException;
import io.pushbase.comet.subscription.RoomRequest;
import io.pushbase.comet.subscription.Subscriber;
import io.pushbase.comet.subscription.Subscription;
import io.pushbase.comet.subscription.SubscriptionGate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
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
 * heartbeats are answered while it runs. A {@code since=@<device>} (issue 15) is admitted the same
 * way; its replay reads the device's cursor before its first page.
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

        /** (Pushbase) How this transport frames the room fan-out's shared frames and replies. */
        Framing framing();

        /**
         * (Pushbase) Refuses a subscription because of one of its rooms: writes {@code roomReply}
         * ({@code -j <room> <reason>}), then {@code reply} as {@link #refuse} does. A transport
         * whose refusal carries a reason (a stream's HTTP answer) writes only that.
         */
        default ChannelFuture refuseRoom(
                ChannelHandlerContext ctx, RoomReply roomReply, Reply reply, String reason) {
            ctx.write(framing().reply(ctx.alloc(), roomReply));
            return refuse(ctx, reply, reason);
        }
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
    private final RoomJoins rooms;

    Admitter(
            SubscriptionGate gate,
            Replayer replayer,
            ConnectionSettings settings,
            ConnectionMetrics metrics,
            RoomJoins rooms) {
        this.gate = Objects.requireNonNull(gate, "gate");
        this.replayer = Objects.requireNonNull(replayer, "replayer");
        this.settings = settings;
        this.metrics = metrics;
        this.rooms = Objects.requireNonNull(rooms, "rooms");
    }

    /** Asks the gate about {@code subscription} and answers the client either way. */
    void admit(ChannelHandlerContext ctx, Subscription subscription, Transport transport) {
        ChannelSubscriber connection =
                new ChannelSubscriber(
                        ctx.channel(),
                        subscription,
                        settings.maxPendingMessages(),
                        metrics.slowConsumers(),
                        transport.framing());
        // From the channel's tail: this handler is replaced by then.
        Consumer<Reply> status =
                reply -> ctx.channel().writeAndFlush(transport.frame(ctx.channel().alloc(), reply));
        ResumingSubscriber resuming = null;
        if (subscription.since().isPresent()) {
            resuming =
                    replayer.subscriber(
                            connection,
                            subscription.since().getAsLong(),
                            metrics.slowConsumers(),
                            status);
        } else if (subscription.sinceDevice().isPresent()) {
            // (Pushbase, issue 15) The cursor is read by the replay, after admission: the token
            // check comes first, and live pushes are held from here on as for a mid since.
            resuming =
                    replayer.deviceSubscriber(
                            connection,
                            subscription.sinceDevice().get(),
                            metrics.slowConsumers(),
                            status);
        }
        Subscriber subscriber = resuming != null ? resuming : connection;
        Admission admission =
                Objects.requireNonNull(gate.admit(subscription, subscriber), "gate's admission");
        Reply refusal = replyFor(admission);
        if (refusal != null) {
            refuse(ctx, refusal, admission + " " + subscription, transport);
            return;
        }
        // (Pushbase) The rooms asked at subscribe, all or none: a refused one refuses the
        // subscription (its -j line first), and the close takes the others out of their rooms.
        // Joined on the event loop before +h is written, so a room message pushed meanwhile is
        // queued behind it.
        Channel channel = ctx.channel();
        ConnectionRooms connectionRooms =
                rooms.open(connection, subscription, metrics.slowConsumers());
        channel.attr(ConnectionRooms.KEY).set(connectionRooms);
        Consumer<RoomReply> writeRoom =
                reply -> channel.writeAndFlush(transport.framing().reply(channel.alloc(), reply));
        List<ConnectionRooms.Joined> joins = new ArrayList<>(subscription.rooms().size());
        for (RoomRequest room : subscription.rooms()) {
            ConnectionRooms.Joined joined = connectionRooms.join(room, writeRoom);
            if (joined.refused()) {
                Reply code =
                        switch (joined.reply().refusal()) {
                            case AUTH -> Reply.AUTH;
                            case FULL, LIMIT -> Reply.CHANNEL;
                            case NAME, SINCE -> Reply.PARAM;
                        };
                metrics.rejected(code).inc();
                LOG.debug(
                        "Refusing {}: {} for {}",
                        channel.remoteAddress(),
                        joined.reply(),
                        subscription);
                transport
                        .refuseRoom(ctx, joined.reply(), code, joined.reply().toString())
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
            joins.add(joined);
        }
        metrics.subscribed().inc();
        channel.attr(SUBSCRIPTION).set(subscription);
        LOG.debug("{} subscribed: {}", channel.remoteAddress(), subscription);
        // The reply goes out before any heartbeat answer the replacement handlers write.
        transport.write(ctx, Reply.HEARTBEAT);
        transport.switchToHeartbeats(ctx, subscription);
        for (ConnectionRooms.Joined joined : joins) {
            if (joined.reply() != null) {
                writeRoom.accept(joined.reply());
            }
        }
        if (resuming != null) {
            replayer.start(resuming);
        }
        joins.forEach(j -> j.start().run());
    }

    /** Answers bad parameters {@code -p}, counting a refused key or since apart too; closes. */
    void refuseInvalid(
            ChannelHandlerContext ctx, InvalidSubscriptionException invalid, Transport transport) {
        switch (invalid.rule()) {
            case KEY -> metrics.rejectedKey().inc();
            case SINCE -> metrics.rejectedSince().inc();
            case DEVICE -> metrics.rejectedDevice().inc();
            case ROOM -> {}
            case OTHER -> {}
        }
        RoomReply room = invalid.roomReply();
        if (room != null) {
            // (Pushbase) A room of the subscribe: counted by reason, its -j line first.
            rooms.metrics().refused(room.refusal()).inc();
            metrics.rejected(Reply.PARAM).inc();
            LOG.debug(
                    "Refusing {} with {}: {}",
                    ctx.channel().remoteAddress(),
                    room,
                    invalid.getMessage());
            transport
                    .refuseRoom(ctx, room, Reply.PARAM, invalid.getMessage())
                    .addListener(ChannelFutureListener.CLOSE);
            return;
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
