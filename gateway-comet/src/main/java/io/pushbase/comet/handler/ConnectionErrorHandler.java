package io.pushbase.comet.handler;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.ReadTimeoutException;
import io.netty.util.ReferenceCountUtil;
import io.pushbase.comet.codec.RespRequest;
import io.pushbase.comet.connection.ConnectionMetrics;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of every client pipeline: the one place a connection's failures end. Any
 * exception closes that connection without a reply (docs/PROTOCOL.md section 5) and is counted or
 * logged by kind: framing violations ({@link DecoderException}, e.g. {@code RespDecoderException})
 * count as bad input, a {@link ReadTimeoutException} as a heartbeat timeout, I/O errors (the peer
 * reset) are routine; anything else is a bug and logged with its stack trace.
 *
 * <p>Also releases any inbound message no handler consumed, so nothing leaks. Stateless and shared
 * by the connections of one transport.
 */
@Sharable
public final class ConnectionErrorHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionErrorHandler.class);

    private final ConnectionMetrics metrics;

    public ConnectionErrorHandler(ConnectionMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof RespRequest command) {
            // (Pushbase) A command no handler took: unknown, like any byte other than 'h' was.
            metrics.badInput().inc();
            LOG.debug(
                    "Closing {}: unknown command {}",
                    ctx.channel().remoteAddress(),
                    command.command());
            ctx.close();
            return;
        }
        LOG.debug("Dropping unexpected {} from {}", msg, ctx.channel().remoteAddress());
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof ReadTimeoutException) {
            metrics.heartbeatTimeouts().inc();
            LOG.debug("Closing {}: no heartbeat in time", ctx.channel().remoteAddress());
        } else if (cause instanceof DecoderException) {
            metrics.badInput().inc();
            LOG.debug("Closing {}: {}", ctx.channel().remoteAddress(), cause.getMessage());
        } else if (cause instanceof IOException) {
            LOG.debug("Closing {}: {}", ctx.channel().remoteAddress(), cause.toString());
        } else {
            LOG.warn("Closing {} after an unexpected error", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
