package io.pushbase.comet.handler;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.pushbase.comet.ack.AckCommand;
import io.pushbase.comet.ack.AckRate;
import io.pushbase.comet.ack.Acks;
import io.pushbase.comet.codec.AckRefusal;
import io.pushbase.comet.codec.RespRequest;
import io.pushbase.comet.connection.ConnectionMetrics;
import io.pushbase.comet.subscription.Subscription;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * (Pushbase) Takes a subscribed connection's commands (the {@link RespRequest}s its heartbeat
 * decoder emits; docs/PROTOCOL.md "Acknowledgements"): an {@code ack} that passes {@link
 * AckCommand}'s rules and the connection's {@link AckRate} goes to the {@link
 * io.pushbase.comet.ack.AckBatcher}, with no reply; one that does not is answered {@code -k
 * <problem>\r\n} and counted ({@code comet.acks.rejected.*}), the connection staying open — except
 * when it acks faster than allowed, which is answered and closed. A refusal from the message nodes
 * later reaches the connection the same way. Any other command is closed without a reply and
 * counted as bad input, as any byte but {@code h} was before commands existed (handlers of further
 * commands go before this one).
 *
 * <p>Before a subscription there is nothing to take: the subscribe handlers consume every request.
 * One instance per connection; event loop only (the batcher's refusals are written from its threads
 * through the channel, which Netty makes safe).
 */
public final class AckHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(AckHandler.class);

    private final Acks acks;
    private final ConnectionMetrics connectionMetrics;
    private final Function<ByteBuf, Object> frame;
    private final LongSupplier nanoTime;
    private AckRate rate;

    /**
     * Set once this handler closed the connection: requests decoded in the same read are dropped.
     */
    private boolean closing;

    private AckHandler(
            Acks acks, ConnectionMetrics connectionMetrics, Function<ByteBuf, Object> frame) {
        this.acks = acks;
        this.connectionMetrics = connectionMetrics;
        this.frame = frame;
        this.nanoTime = acks.nanoTime();
    }

    /** Refusals as bytes {@code -k ...\r\n}. */
    public static AckHandler tcp(Acks acks, ConnectionMetrics metrics) {
        return new AckHandler(acks, metrics, buf -> buf);
    }

    /** Refusals as one text frame {@code -k ...\r\n}. */
    public static AckHandler webSocket(Acks acks, ConnectionMetrics metrics) {
        return new AckHandler(acks, metrics, TextWebSocketFrame::new);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof RespRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (closing) {
            return;
        }
        Subscription subscription = ctx.channel().attr(Admitter.SUBSCRIPTION).get();
        if (!AckCommand.NAME.equals(request.command()) || subscription == null || !acks.enabled()) {
            connectionMetrics.badInput().inc();
            LOG.debug(
                    "Closing {}: command {} {}",
                    ctx.channel().remoteAddress(),
                    AckCommand.printable(request.command()),
                    acks.enabled() ? "unknown" : "while acks are off");
            closing = true;
            ctx.close();
            return;
        }
        if (rate == null) {
            rate = new AckRate(acks.maxPerSecond(), nanoTime.getAsLong());
        }
        if (!rate.take(nanoTime.getAsLong())) {
            closing = true;
            acks.metrics().rejectedFlood().inc();
            LOG.info(
                    "Closing {} of key '{}': more than {} acks a second",
                    ctx.channel().remoteAddress(),
                    subscription.key(),
                    rate.perSecond());
            refuse(ctx.channel(), "too many acks: at most " + rate.perSecond() + " a second")
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        AckCommand ack;
        try {
            ack = AckCommand.parse(request, subscription.key());
        } catch (AckCommand.Invalid invalid) {
            acks.metrics().rejected(invalid.rule()).inc();
            refuse(ctx.channel(), invalid.getMessage());
            return;
        }
        Channel channel = ctx.channel();
        boolean taken =
                acks.batcher()
                        .offer(
                                ack.key(),
                                ack.device(),
                                ack.mid(),
                                problem -> {
                                    if (channel.isActive()) {
                                        refuse(channel, problem);
                                    }
                                });
        if (!taken) {
            acks.metrics().rejectedQueueFull().inc();
            refuse(channel, "busy: acks are waiting on this comet, ack again later");
        }
    }

    private ChannelFuture refuse(Channel channel, String problem) {
        return channel.writeAndFlush(frame.apply(AckRefusal.buffer(channel.alloc(), problem)));
    }
}
