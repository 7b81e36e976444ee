package io.pushbase.comet.handler;

import com.codahale.metrics.MetricRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.pushbase.comet.ack.Acks;
import io.pushbase.comet.codec.WebSocketMessageEncoder;
import io.pushbase.comet.connection.ConnectionMetrics;
import io.pushbase.comet.connection.ConnectionSettings;
import io.pushbase.comet.replay.Replayer;
import io.pushbase.comet.room.RoomJoins;
import io.pushbase.comet.subscription.SubscriptionGate;

/**
 * Builds the pipeline of a WebSocket client connection (docs/PROTOCOL.md section 3), and does
 * nothing else:
 *
 * <pre>
 * http                 HttpServerCodec                 bounded request line and headers
 * aggregator           HttpObjectAggregator            the upgrade request, no body allowed
 * firstRequestTimeout  FirstRequestTimeoutHandler      close if no request within 5 s
 * origin               OriginCheckHandler              optional Origin allow-list (403)
 * acksOverHttp         HttpAckHandler                  (Pushbase) POST /ack?...: one ack, answered, closed; leaves on any other request
 * sse                  SseSubscribeHandler             (Pushbase) GET /sse...: an event stream; leaves on any other request
 * (handshaker)         added by the protocol handler
 * websocket            WebSocketServerProtocolHandler  handshake on /sub..., ping/pong/close
 * encoder              WebSocketMessageEncoder         pushed messages as one text frame
 * subscribe            WebSocketSubscribeHandler       validate, ask the gate, reply
 * notFound             NotFoundHandler                 404 for any other request
 * acks                 AckHandler                      (Pushbase) commands after subscribing: ack
 * errors               ConnectionErrorHandler          count, log, close
 * </pre>
 *
 * The protocol handler sends no Close frame when the comet closes (errors are a text frame followed
 * by a plain TCP close, as gopush-cluster did) and accepts handshakes with or without {@code
 * Origin}. After a successful subscribe the pipeline gains {@code readTimeout} first and {@code
 * heartbeatDecoder} + {@code heartbeat} (and, Pushbase, {@code rooms}: {@link RoomCommandHandler})
 * in place of {@code subscribe}. Shared by every connection of one WebSocket server; thread-safe.
 *
 * <p>(Pushbase) A request for the Server-Sent Events path ({@code /sse?key=...}) is taken by {@code
 * sse} before the WebSocket handlers see it; an admitted stream's pipeline is {@code http,
 * aggregator, sseEncoder, sseStream, errors} (see {@link SseSubscribeHandler}). Its counters are
 * the {@code sseMetrics} ({@code comet.sse.*}); its connection is one of the listener's.
 */
public final class WebSocketInitializer extends ChannelInitializer<Channel> {
    public static final String HTTP = "http";
    public static final String AGGREGATOR = "aggregator";
    public static final String FIRST_REQUEST_TIMEOUT = "firstRequestTimeout";
    public static final String ORIGIN = "origin";
    public static final String WEBSOCKET = "websocket";
    public static final String ENCODER = "encoder";
    public static final String SUBSCRIBE = "subscribe";
    public static final String NOT_FOUND = "notFound";
    public static final String READ_TIMEOUT = "readTimeout";
    public static final String HEARTBEAT_DECODER = "heartbeatDecoder";
    public static final String HEARTBEAT = "heartbeat";
    public static final String ACKS = "acks";
    public static final String ROOMS = "rooms";
    public static final String ERRORS = "errors";
    public static final String SSE = "sse";
    public static final String ACKS_OVER_HTTP = "acksOverHttp";
    public static final String SSE_ENCODER = "sseEncoder";
    public static final String SSE_STREAM = "sseStream";

    private final ConnectionSettings settings;
    private final SubscriptionGate gate;
    private final Replayer replayer;
    private final ConnectionMetrics metrics;
    private final ConnectionMetrics sseMetrics;
    private final WebSocketServerProtocolConfig protocolConfig;
    private final WebSocketMessageEncoder encoder = new WebSocketMessageEncoder();
    private final ConnectionErrorHandler errors;
    private final Acks acks;
    private final RoomJoins rooms;

    /** Counts Server-Sent Events streams in a registry of their own (tests of WebSocket alone). */
    public WebSocketInitializer(
            ConnectionSettings settings,
            SubscriptionGate gate,
            Replayer replayer,
            ConnectionMetrics metrics) {
        this(settings, gate, replayer, metrics, new ConnectionMetrics(new MetricRegistry(), "sse"));
    }

    /**
     * @param metrics the WebSocket connections' counters ({@code comet.ws.*})
     * @param sseMetrics the Server-Sent Events streams' counters ({@code comet.sse.*})
     */
    public WebSocketInitializer(
            ConnectionSettings settings,
            SubscriptionGate gate,
            Replayer replayer,
            ConnectionMetrics metrics,
            ConnectionMetrics sseMetrics) {
        this(
                settings,
                gate,
                replayer,
                metrics,
                sseMetrics,
                Acks.off(),
                RoomJoins.standalone(replayer));
    }

    /** With (Pushbase) acknowledgements, and rooms for this listener alone. */
    public WebSocketInitializer(
            ConnectionSettings settings,
            SubscriptionGate gate,
            Replayer replayer,
            ConnectionMetrics metrics,
            ConnectionMetrics sseMetrics,
            Acks acks) {
        this(settings, gate, replayer, metrics, sseMetrics, acks, RoomJoins.standalone(replayer));
    }

    /** With (Pushbase) the comet's rooms, without acknowledgements. */
    public WebSocketInitializer(
            ConnectionSettings settings,
            SubscriptionGate gate,
            Replayer replayer,
            ConnectionMetrics metrics,
            ConnectionMetrics sseMetrics,
            RoomJoins rooms) {
        this(settings, gate, replayer, metrics, sseMetrics, Acks.off(), rooms);
    }

    /**
     * @param metrics the WebSocket connections' counters ({@code comet.ws.*})
     * @param sseMetrics the Server-Sent Events streams' counters ({@code comet.sse.*})
     * @param acks (Pushbase) where the connections' acknowledgements go
     * @param rooms (Pushbase) the comet's rooms
     */
    public WebSocketInitializer(
            ConnectionSettings settings,
            SubscriptionGate gate,
            Replayer replayer,
            ConnectionMetrics metrics,
            ConnectionMetrics sseMetrics,
            Acks acks,
            RoomJoins rooms) {
        this.acks = acks;
        this.rooms = rooms;
        this.settings = settings;
        this.sseMetrics = sseMetrics;
        this.gate = gate;
        this.replayer = replayer;
        this.metrics = metrics;
        this.errors = new ConnectionErrorHandler(metrics);
        this.protocolConfig =
                WebSocketServerProtocolConfig.newBuilder()
                        .websocketPath(settings.webSocketPath())
                        // The query string carries the parameters: /sub?key=...
                        .checkStartsWith(true)
                        .handshakeTimeoutMillis(settings.firstRequestTimeout().toMillis())
                        // null: close without a Close frame (docs/PROTOCOL.md section 5).
                        .sendCloseFrame(null)
                        .decoderConfig(
                                WebSocketDecoderConfig.newBuilder()
                                        .maxFramePayloadLength(settings.maxWebSocketFramePayload())
                                        // A bad frame closes without a Close frame, like any
                                        // other framing violation (the error handler closes).
                                        .closeOnProtocolViolation(false)
                                        // Clients send only "h"; anything else closes the
                                        // connection anyway, so a per-connection UTF-8
                                        // validator would only cost memory.
                                        .withUTF8Validator(false)
                                        .build())
                        .build();
    }

    @Override
    protected void initChannel(Channel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        pipeline.addLast(
                HTTP,
                new HttpServerCodec(
                        new HttpDecoderConfig()
                                .setMaxInitialLineLength(settings.maxHttpLineLength())
                                .setMaxHeaderSize(settings.maxHttpHeaderSize())));
        // The upgrade is a GET: any body at all is refused (413) rather than buffered.
        pipeline.addLast(AGGREGATOR, new HttpObjectAggregator(0));
        pipeline.addLast(
                FIRST_REQUEST_TIMEOUT,
                new FirstRequestTimeoutHandler(
                        settings.firstRequestTimeout(), metrics.firstRequestTimeouts()));
        pipeline.addLast(ORIGIN, new OriginCheckHandler(settings.allowedOrigins()));
        pipeline.addLast(ACKS_OVER_HTTP, new HttpAckHandler(acks));
        pipeline.addLast(SSE, new SseSubscribeHandler(settings, gate, replayer, sseMetrics, rooms));
        pipeline.addLast(WEBSOCKET, new WebSocketServerProtocolHandler(protocolConfig));
        pipeline.addLast(ENCODER, encoder);
        pipeline.addLast(
                SUBSCRIBE, new WebSocketSubscribeHandler(settings, gate, replayer, metrics, rooms));
        pipeline.addLast(NOT_FOUND, new NotFoundHandler());
        pipeline.addLast(ACKS, AckHandler.webSocket(acks, metrics));
        pipeline.addLast(ERRORS, errors);
    }
}
