package io.pushbase.comet.handler;

import com.codahale.metrics.Counter;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.pushbase.comet.codec.Framing;
import io.pushbase.comet.codec.RespRequest;
import io.pushbase.comet.codec.RoomReply;
import io.pushbase.comet.room.ConnectionRooms;
import io.pushbase.comet.room.RoomMetrics;
import io.pushbase.comet.subscription.InvalidSubscriptionException;
import io.pushbase.comet.subscription.RoomRequest;
import io.pushbase.comet.subscription.SubscriptionParser;
import io.pushbase.schema.client.Rooms;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * (Pushbase, issue 14) Answers a subscribed connection's room commands (docs/PROTOCOL.md "Rooms"),
 * decoded as {@link RespRequest}s by {@code CommandDecoder} (TCP) or {@code
 * WebSocketHeartbeatDecoder} (WebSocket):
 *
 * <ul>
 *   <li>{@code join <room>} → {@code +j <room>}; {@code join <room> <since>} → the room's replay,
 *       which answers {@code +j <room> complete|truncated} before the room's stored messages after
 *       {@code since}; a refusal → {@code -j <room> <reason>} (the connection stays open);
 *   <li>{@code leave <room>} → {@code +l <room>}.
 * </ul>
 *
 * A join or leave with other arguments, or a leave of a name the room rule refuses, closes the
 * connection (bad input, as any unexpected byte does). Other commands pass on to the handlers
 * behind (an unknown one reaches the error handler, which closes).
 *
 * <p>Bounded: once {@value #MAX_PENDING_REPLIES} replies are written but not yet handed to the
 * socket the connection is closed as a slow consumer (a client that sends commands without reading
 * the answers). One instance per connection; event loop only.
 */
public final class RoomCommandHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(RoomCommandHandler.class);

    /** Most room replies written but not yet handed to the socket. */
    public static final int MAX_PENDING_REPLIES = 32;

    private final SubscriptionParser parser;
    private final Framing framing;
    private final RoomMetrics metrics;
    private final Counter badInput;
    private final Counter slowConsumers;
    private int pendingReplies;
    private final ChannelFutureListener onWritten = future -> pendingReplies--;

    public RoomCommandHandler(
            SubscriptionParser parser,
            Framing framing,
            RoomMetrics metrics,
            Counter badInput,
            Counter slowConsumers) {
        this.parser = parser;
        this.framing = framing;
        this.metrics = metrics;
        this.badInput = badInput;
        this.slowConsumers = slowConsumers;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof RespRequest command)) {
            ctx.fireChannelRead(msg);
            return;
        }
        String verb = command.command();
        int argc = command.args().size();
        if ("join".equals(verb) && (argc == 2 || argc == 3)) {
            join(ctx, command.arg(1), command.arg(2));
        } else if ("leave".equals(verb) && argc == 2) {
            leave(ctx, command.arg(1));
        } else if ("join".equals(verb) || "leave".equals(verb)) {
            close(ctx, verb + " with " + (argc - 1) + " arguments");
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    private void join(ChannelHandlerContext ctx, String room, String since) {
        ConnectionRooms rooms = ctx.channel().attr(ConnectionRooms.KEY).get();
        if (rooms == null || !ctx.channel().isActive()) {
            return;
        }
        RoomRequest request;
        try {
            request = parser.room(room, since);
        } catch (InvalidSubscriptionException e) {
            metrics.refused(e.roomReply().refusal()).inc();
            LOG.debug("{}: {}", ctx.channel().remoteAddress(), e.getMessage());
            reply(ctx, e.roomReply());
            return;
        }
        ConnectionRooms.Joined joined =
                rooms.join(
                        request,
                        r -> ctx.channel().writeAndFlush(framing.reply(ctx.channel().alloc(), r)));
        if (joined.reply() != null) {
            reply(ctx, joined.reply());
        }
        joined.start().run();
    }

    private void leave(ChannelHandlerContext ctx, String room) {
        ConnectionRooms rooms = ctx.channel().attr(ConnectionRooms.KEY).get();
        if (rooms == null || !ctx.channel().isActive()) {
            return;
        }
        if (Rooms.problem(room) != null) {
            close(ctx, "leave of a name that is not a room");
            return;
        }
        reply(ctx, rooms.leave(room));
    }

    private void reply(ChannelHandlerContext ctx, RoomReply reply) {
        if (pendingReplies >= MAX_PENDING_REPLIES) {
            slowConsumers.inc();
            LOG.info(
                    "Closing {}: {} room replies not read",
                    ctx.channel().remoteAddress(),
                    pendingReplies);
            ctx.close();
            return;
        }
        pendingReplies++;
        ctx.writeAndFlush(framing.reply(ctx.alloc(), reply)).addListener(onWritten);
    }

    private void close(ChannelHandlerContext ctx, String why) {
        badInput.inc();
        LOG.debug("Closing {}: {}", ctx.channel().remoteAddress(), why);
        ctx.close();
    }
}
