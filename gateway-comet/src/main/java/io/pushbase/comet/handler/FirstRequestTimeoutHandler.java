package io.pushbase.comet.handler;

import com.codahale.metrics.Counter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a connection whose first request has not arrived within a fixed time of accepting it
 * (docs/PROTOCOL.md section 3: 5 seconds). Sits right after the request decoder, so only a complete
 * decoded request counts: a client trickling bytes is closed just like a silent one, as
 * gopush-cluster's read deadline did.
 *
 * <p>On the first message it cancels the timer, removes itself and passes the message on. A timeout
 * closes without a reply and increments {@code timeouts}. One instance per connection; event loop
 * only.
 */
public final class FirstRequestTimeoutHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(FirstRequestTimeoutHandler.class);

    private final long timeoutNanos;
    private final Counter timeouts;
    private Future<?> timer;
    private boolean done;

    public FirstRequestTimeoutHandler(Duration timeout, Counter timeouts) {
        this.timeoutNanos = timeout.toNanos();
        this.timeouts = timeouts;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // Added to an already active channel (the usual case in an initializer): start now.
        if (ctx.channel().isActive()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        stop();
        ctx.pipeline().remove(this);
        ctx.fireChannelRead(msg);
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

    private void start(ChannelHandlerContext ctx) {
        if (timer != null || done) {
            return;
        }
        timer =
                ctx.executor()
                        .schedule(
                                () -> {
                                    if (!done && ctx.channel().isOpen()) {
                                        done = true;
                                        timeouts.inc();
                                        LOG.debug(
                                                "Closing {}: no complete first request in {} ms",
                                                ctx.channel().remoteAddress(),
                                                TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
                                        ctx.close();
                                    }
                                },
                                timeoutNanos,
                                TimeUnit.NANOSECONDS);
    }

    private void stop() {
        done = true;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
