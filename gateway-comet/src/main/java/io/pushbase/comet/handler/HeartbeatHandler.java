package io.pushbase.comet.handler;

import com.codahale.metrics.Counter;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.pushbase.comet.codec.Heartbeat;
import io.pushbase.comet.codec.Reply;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers each {@link Heartbeat} of a subscribed connection with {@code +h\r\n} (as bytes on TCP,
 * as a text frame on WebSocket), flushed at once, as gopush-cluster answered each byte it read.
 *
 * <p>Bounded: a client that sends heartbeats but does not read the answers would make them pile up,
 * so once {@value #MAX_PENDING_REPLIES} replies are written but not yet handed to the socket, the
 * connection is closed and counted as a slow consumer. A well-behaved client has one outstanding at
 * most. Other inbound messages pass on unchanged.
 *
 * <p>One instance per connection; event loop only.
 */
public final class HeartbeatHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatHandler.class);

    /** Most heartbeat replies written but not yet handed to the socket. */
    public static final int MAX_PENDING_REPLIES = 32;

    private final Counter slowConsumers;
    private final Function<ByteBufAllocator, Object> reply;
    private int pendingReplies;
    private final ChannelFutureListener onWritten = future -> pendingReplies--;

    private HeartbeatHandler(Counter slowConsumers, Function<ByteBufAllocator, Object> reply) {
        this.slowConsumers = slowConsumers;
        this.reply = reply;
    }

    /** Replies with the four bytes {@code +h\r\n}. */
    public static HeartbeatHandler tcp(Counter slowConsumers) {
        return new HeartbeatHandler(slowConsumers, Reply.HEARTBEAT::buffer);
    }

    /** Replies with one text frame {@code +h\r\n}. */
    public static HeartbeatHandler webSocket(Counter slowConsumers) {
        return new HeartbeatHandler(
                slowConsumers, alloc -> new TextWebSocketFrame(Reply.HEARTBEAT.buffer(alloc)));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg != Heartbeat.INSTANCE) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (!ctx.channel().isActive()) {
            return;
        }
        if (pendingReplies >= MAX_PENDING_REPLIES) {
            slowConsumers.inc();
            LOG.info(
                    "Closing {}: {} heartbeat replies not read",
                    ctx.channel().remoteAddress(),
                    pendingReplies);
            ctx.close();
            return;
        }
        pendingReplies++;
        ctx.writeAndFlush(reply.apply(ctx.alloc())).addListener(onWritten);
    }
}
