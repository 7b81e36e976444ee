package io.pushbase.comet.handler;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.pushbase.comet.codec.SseEvents;
import io.pushbase.comet.connection.ConnectionMetrics;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * (Pushbase) A subscribed Server-Sent Events stream: writes the heartbeat comment {@code : h\n\n}
 * every {@code period}, so proxies and clients see the stream alive and a dead peer is found by the
 * write failing. An SSE client never sends, so there is no read timeout; instead, when the two
 * comments written before are both still not handed to the socket at the next tick (the client has
 * not read for more than a whole period), the connection is closed and counted in {@code
 * closed.heartbeatTimeout}. Anything the client sends after its request is a protocol violation:
 * released, counted in {@code closed.badInput}, closed.
 *
 * <p>One instance per connection; event loop only.
 */
public final class SseStreamHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(SseStreamHandler.class);

    /** Heartbeat comments not yet handed to the socket when the next one is due: a close. */
    static final int MAX_PENDING_HEARTBEATS = 2;

    private final long periodNanos;
    private final ConnectionMetrics metrics;
    private Future<?> timer;
    private int pending;

    public SseStreamHandler(Duration period, ConnectionMetrics metrics) {
        this.periodNanos = period.toNanos();
        this.metrics = metrics;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timer =
                ctx.executor()
                        .scheduleAtFixedRate(
                                () -> beat(ctx), periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    }

    private void beat(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive()) {
            return;
        }
        if (pending >= MAX_PENDING_HEARTBEATS) {
            metrics.heartbeatTimeouts().inc();
            LOG.info(
                    "Closing {}: {} heartbeat comments not written for a heartbeat period",
                    ctx.channel().remoteAddress(),
                    pending);
            ctx.close();
            return;
        }
        pending++;
        ctx.writeAndFlush(new DefaultHttpContent(SseEvents.heartbeat(ctx.alloc())))
                .addListener(future -> pending--);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
        metrics.badInput().inc();
        LOG.debug("Closing {}: input on an event stream", ctx.channel().remoteAddress());
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stop();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    private void stop() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
