package io.pushbase.comet.handler;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.pushbase.comet.codec.CommandDecoder;
import io.pushbase.comet.codec.Framing;
import io.pushbase.comet.codec.Reply;
import io.pushbase.comet.codec.RespRequest;
import io.pushbase.comet.connection.ConnectionMetrics;
import io.pushbase.comet.connection.ConnectionSettings;
import io.pushbase.comet.replay.Replayer;
import io.pushbase.comet.room.RoomJoins;
import io.pushbase.comet.subscription.InvalidSubscriptionException;
import io.pushbase.comet.subscription.Subscription;
import io.pushbase.comet.subscription.SubscriptionGate;
import io.pushbase.comet.subscription.SubscriptionParser;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Answers a TCP client's first request (docs/PROTOCOL.md sections 3 and 5). Anything but a valid
 * {@code sub key heartbeat [token [version [since]]]} gets {@code -p\r\n} and a close (the key is
 * checked by the shared key rule on its bytes as they arrived; {@code since}, Pushbase's resume,
 * must be a mid that is not in the future); a valid one goes to the {@link SubscriptionGate}, whose
 * refusal is answered {@code -a}, {@code -c} or {@code -n} and a close. On admission it replies
 * {@code +h\r\n} and switches the connection to heartbeat mode: this handler becomes a {@link
 * HeartbeatHandler}, the request decoder a {@link CommandDecoder} (which receives any bytes that
 * arrived after the request), and a read timeout of heartbeat + 5 s goes in front of it.
 *
 * <p>One instance per connection; event loop only. Gate exceptions propagate to the pipeline's
 * error handler, which logs and closes.
 */
public final class SubscribeHandler extends SimpleChannelInboundHandler<RespRequest>
        implements Admitter.Transport {
    private final ConnectionSettings settings;
    private final SubscriptionParser parser;
    private final Admitter admitter;
    private final ConnectionMetrics metrics;
    private final RoomJoins rooms;

    public SubscribeHandler(
            ConnectionSettings settings,
            SubscriptionGate gate,
            Replayer replayer,
            ConnectionMetrics metrics) {
        this(settings, gate, replayer, metrics, RoomJoins.standalone(replayer));
    }

    /**
     * @param rooms (Pushbase) the comet's rooms: joined at subscribe (the seventh argument) and by
     *     {@code join} / {@code leave} afterwards
     */
    public SubscribeHandler(
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
    protected void channelRead0(ChannelHandlerContext ctx, RespRequest request) {
        if (!"sub".equals(request.command())) {
            admitter.refuse(ctx, Reply.PARAM, "unknown command", this);
            return;
        }
        Subscription subscription;
        try {
            subscription =
                    parser.parse(
                            request.bytes(1),
                            request.arg(2),
                            request.arg(3),
                            request.arg(4),
                            request.arg(5),
                            roomList(request.arg(6)));
        } catch (InvalidSubscriptionException e) {
            admitter.refuseInvalid(ctx, e, this);
            return;
        }
        admitter.admit(ctx, subscription, this);
    }

    /**
     * (Pushbase) The seventh argument: rooms separated by commas, each {@code <room>} or {@code
     * <room>@<since>}; absent or empty: none. An empty element is a bad room name.
     */
    static List<String> roomList(String arg) {
        return arg == null || arg.isEmpty() ? List.of() : List.of(arg.split(",", -1));
    }

    @Override
    public Framing framing() {
        return Framing.TCP;
    }

    @Override
    public Object frame(ByteBufAllocator alloc, Reply reply) {
        return reply.buffer(alloc);
    }

    @Override
    public void switchToHeartbeats(ChannelHandlerContext ctx, Subscription subscription) {
        ChannelPipeline pipeline = ctx.pipeline();
        // Replace this handler first: the decoder swap below forwards bytes already received,
        // and their heartbeats must reach the heartbeat handler, not this one.
        pipeline.replace(
                this, TcpInitializer.HEARTBEAT, HeartbeatHandler.tcp(metrics.slowConsumers()));
        pipeline.addBefore(
                TcpInitializer.DECODER,
                TcpInitializer.READ_TIMEOUT,
                new ReadTimeoutHandler(
                        settings.readTimeoutSeconds(subscription.heartbeatSeconds()),
                        TimeUnit.SECONDS));
        // (Pushbase) Room commands go between the heartbeats: join, leave.
        pipeline.addAfter(
                TcpInitializer.HEARTBEAT,
                TcpInitializer.ROOMS,
                new RoomCommandHandler(
                        parser,
                        Framing.TCP,
                        rooms.metrics(),
                        metrics.badInput(),
                        metrics.slowConsumers()));
        pipeline.replace(TcpInitializer.DECODER, TcpInitializer.DECODER, new CommandDecoder());
    }
}
