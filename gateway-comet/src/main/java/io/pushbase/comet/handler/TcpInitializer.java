package io.pushbase.comet.handler;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.pushbase.comet.ack.Acks;
import io.pushbase.comet.codec.RespRequestDecoder;
import io.pushbase.comet.codec.TcpMessageEncoder;
import io.pushbase.comet.connection.ConnectionMetrics;
import io.pushbase.comet.connection.ConnectionSettings;
import io.pushbase.comet.replay.Replayer;
import io.pushbase.comet.room.RoomJoins;
import io.pushbase.comet.subscription.SubscriptionGate;

/**
 * Builds the pipeline of a TCP client connection (docs/PROTOCOL.md section 3), and does nothing
 * else:
 *
 * <pre>
 * encoder              TcpMessageEncoder           pushed messages as $len\r\n&lt;json&gt;\r\n
 * decoder              RespRequestDecoder          the one sub request
 * firstRequestTimeout  FirstRequestTimeoutHandler  close if it is not complete within 5 s
 * subscribe            SubscribeHandler            validate, ask the gate, reply
 * acks                 AckHandler                  (Pushbase) commands after subscribing: ack
 * errors               ConnectionErrorHandler      count, log, close
 * </pre>
 *
 * After a successful subscribe, {@link SubscribeHandler} swaps it to heartbeat mode: {@code
 * readTimeout} (heartbeat + 5 s), {@code decoder} = {@code CommandDecoder} (heartbeats and,
 * Pushbase, commands), {@code heartbeat} = {@link HeartbeatHandler}, then (Pushbase) {@code rooms}
 * = {@link RoomCommandHandler}. Shared by every connection of one TCP server; thread-safe.
 */
public final class TcpInitializer extends ChannelInitializer<Channel> {
    public static final String ENCODER = "encoder";
    public static final String DECODER = "decoder";
    public static final String FIRST_REQUEST_TIMEOUT = "firstRequestTimeout";
    public static final String SUBSCRIBE = "subscribe";
    public static final String READ_TIMEOUT = "readTimeout";
    public static final String HEARTBEAT = "heartbeat";
    public static final String ACKS = "acks";
    public static final String ROOMS = "rooms";
    public static final String ERRORS = "errors";

    private final ConnectionSettings settings;
    private final SubscriptionGate gate;
    private final Replayer replayer;
    private final ConnectionMetrics metrics;
    private final TcpMessageEncoder encoder = new TcpMessageEncoder();
    private final ConnectionErrorHandler errors;
    private final Acks acks;
    private final RoomJoins rooms;

    /** A listener without acknowledgements ({@link Acks#off}). */
    public TcpInitializer(
            ConnectionSettings settings,
            SubscriptionGate gate,
            Replayer replayer,
            ConnectionMetrics metrics) {
        this(settings, gate, replayer, metrics, Acks.off(), RoomJoins.standalone(replayer));
    }

    /** With (Pushbase) acknowledgements, and rooms for this listener alone. */
    public TcpInitializer(
            ConnectionSettings settings,
            SubscriptionGate gate,
            Replayer replayer,
            ConnectionMetrics metrics,
            Acks acks) {
        this(settings, gate, replayer, metrics, acks, RoomJoins.standalone(replayer));
    }

    /** With (Pushbase) the comet's rooms, without acknowledgements. */
    public TcpInitializer(
            ConnectionSettings settings,
            SubscriptionGate gate,
            Replayer replayer,
            ConnectionMetrics metrics,
            RoomJoins rooms) {
        this(settings, gate, replayer, metrics, Acks.off(), rooms);
    }

    /**
     * @param acks (Pushbase) where the connections' acknowledgements go
     * @param rooms (Pushbase) the comet's rooms
     */
    public TcpInitializer(
            ConnectionSettings settings,
            SubscriptionGate gate,
            Replayer replayer,
            ConnectionMetrics metrics,
            Acks acks,
            RoomJoins rooms) {
        this.acks = acks;
        this.rooms = rooms;
        this.settings = settings;
        this.gate = gate;
        this.replayer = replayer;
        this.metrics = metrics;
        this.errors = new ConnectionErrorHandler(metrics);
    }

    @Override
    protected void initChannel(Channel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addLast(ENCODER, encoder);
        pipeline.addLast(
                DECODER,
                new RespRequestDecoder(settings.maxBulkLength(), settings.maxLineLength()));
        pipeline.addLast(
                FIRST_REQUEST_TIMEOUT,
                new FirstRequestTimeoutHandler(
                        settings.firstRequestTimeout(), metrics.firstRequestTimeouts()));
        pipeline.addLast(SUBSCRIBE, new SubscribeHandler(settings, gate, replayer, metrics, rooms));
        pipeline.addLast(ACKS, AckHandler.tcp(acks, metrics));
        pipeline.addLast(ERRORS, errors);
    }
}
