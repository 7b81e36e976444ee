package io.pushbase.comet.handler;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler.HandshakeComplete;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.ReferenceCountUtil;
import io.pushbase.comet.codec.Framing;
import io.pushbase.comet.codec.Reply;
import io.pushbase.comet.codec.WebSocketHeartbeatDecoder;
import io.pushbase.comet.connection.ConnectionMetrics;
import io.pushbase.comet.connection.ConnectionSettings;
import io.pushbase.comet.replay.Replayer;
import io.pushbase.comet.room.RoomJoins;
import io.pushbase.comet.subscription.InvalidSubscriptionException;
import io.pushbase.comet.subscription.Subscription;
import io.pushbase.comet.subscription.SubscriptionGate;
import io.pushbase.comet.subscription.SubscriptionParser;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subscribes a WebSocket client once its handshake on {@code
 * /sub?key=&heartbeat=&token=&ver=[&since=]} completed (docs/PROTOCOL.md sections 3 and 5). Same
 * rules and gate as TCP (the key rule checks the key's bytes once its %-escapes are decoded, before
 * any text decoding): bad parameters get a text frame {@code -p\r\n}, a refusal {@code -a}, {@code
 * -c} or {@code -n}, each followed by a plain TCP close (no Close frame); admission gets a text
 * frame {@code +h\r\n} and switches the connection to heartbeat mode: this handler becomes a {@link
 * HeartbeatHandler} behind a {@link WebSocketHeartbeatDecoder}, and a read timeout of heartbeat + 5
 * s goes first in the pipeline.
 *
 * <p>A data frame before the subscription is answered is a protocol violation: released, counted,
 * closed. Other messages (HTTP requests for other paths) pass on. One instance per connection;
 * event loop only. Gate exceptions propagate to the error handler, which logs and closes.
 */
public final class WebSocketSubscribeHandler extends ChannelInboundHandlerAdapter
        implements Admitter.Transport {
    private static final Logger LOG = LoggerFactory.getLogger(WebSocketSubscribeHandler.class);

    private final ConnectionSettings settings;
    private final SubscriptionParser parser;
    private final Admitter admitter;
    private final ConnectionMetrics metrics;
    private final RoomJoins rooms;

    public WebSocketSubscribeHandler(
            ConnectionSettings settings,
            SubscriptionGate gate,
            Replayer replayer,
            ConnectionMetrics metrics) {
        this(settings, gate, replayer, metrics, RoomJoins.standalone(replayer));
    }

    /**
     * @param rooms (Pushbase) the comet's rooms: joined at subscribe ({@code room=}, repeatable)
     *     and by {@code join} / {@code leave} text frames afterwards
     */
    public WebSocketSubscribeHandler(
            ConnectionSettings settings,
            SubscriptionGate gate,
            Replayer replayer,
            ConnectionMetrics metrics,
            RoomJoins rooms) {
        this.settings = settings;
        this.parser = rooms.parser(settings.minHeartbeatSeconds());
        this.admitter = new Admitter(gate, replayer, settings, metrics, rooms);
        this.metrics = metrics;
        this.rooms = rooms;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof HandshakeComplete handshake) {
            subscribe(ctx, handshake.requestUri());
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof WebSocketFrame frame) {
            ReferenceCountUtil.release(frame);
            metrics.badInput().inc();
            LOG.debug("Closing {}: a frame before subscribing", ctx.channel().remoteAddress());
            ctx.close();
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private void subscribe(ChannelHandlerContext ctx, String uri) {
        Subscription subscription;
        try {
            QueryParameters params = QueryParameters.of(uri);
            subscription =
                    parser.parse(
                            params.bytes("key"),
                            params.utf8("heartbeat"),
                            params.utf8("token"),
                            params.utf8("ver"),
                            params.utf8("since"),
                            params.allUtf8("room"));
        } catch (InvalidSubscriptionException e) {
            admitter.refuseInvalid(ctx, e, this);
            return;
        }
        admitter.admit(ctx, subscription, this);
    }

    @Override
    public Framing framing() {
        return Framing.WEBSOCKET;
    }

    @Override
    public Object frame(ByteBufAllocator alloc, Reply reply) {
        // A refusal's close is a plain TCP one: the protocol handler sends no Close frame.
        return new TextWebSocketFrame(reply.buffer(alloc));
    }

    @Override
    public void switchToHeartbeats(ChannelHandlerContext ctx, Subscription subscription) {
        ChannelPipeline pipeline = ctx.pipeline();
        pipeline.replace(
                this,
                WebSocketInitializer.HEARTBEAT,
                HeartbeatHandler.webSocket(metrics.slowConsumers()));
        pipeline.addBefore(
                WebSocketInitializer.HEARTBEAT,
                WebSocketInitializer.HEARTBEAT_DECODER,
                new WebSocketHeartbeatDecoder());
        // (Pushbase) Room commands between the heartbeats: join, leave.
        pipeline.addAfter(
                WebSocketInitializer.HEARTBEAT,
                WebSocketInitializer.ROOMS,
                new RoomCommandHandler(
                        parser,
                        Framing.WEBSOCKET,
                        rooms.metrics(),
                        metrics.badInput(),
                        metrics.slowConsumers()));
        pipeline.addFirst(
                WebSocketInitializer.READ_TIMEOUT,
                new ReadTimeoutHandler(
                        settings.readTimeoutSeconds(subscription.heartbeatSeconds()),
                        TimeUnit.SECONDS));
        // Only the upgrade request can miss the path; an idle connection should not carry it.
        if (pipeline.get(WebSocketInitializer.NOT_FOUND) != null) {
            pipeline.remove(WebSocketInitializer.NOT_FOUND);
        }
    }
}
