package io.pushbase.comet.server;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import io.dropwizard.validation.ValidationMethod;
import io.pushbase.comet.ack.Acks;
import io.pushbase.comet.channel.KeyChannels;
import io.pushbase.comet.connection.ConnectionMetrics;
import io.pushbase.comet.connection.ConnectionSettings;
import io.pushbase.comet.handler.TcpInitializer;
import io.pushbase.comet.handler.WebSocketInitializer;
import io.pushbase.comet.replay.DeviceCursors;
import io.pushbase.comet.replay.MessageHistory;
import io.pushbase.comet.replay.Replayer;
import io.pushbase.comet.room.RoomJoins;
import io.pushbase.comet.subscription.SubscriptionGate;
import io.pushbase.schema.client.MidClock;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.LinkedHashSet;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * YAML block of a comet's client side: the TCP and WebSocket listeners (each with optional TLS),
 * the event loops they share, and the limits of every client connection (docs/PROTOCOL.md section
 * 3; the defaults are gopush-cluster's), and the bounds of resume on subscribe ({@code replay}).
 * Validated at start; builds the {@link EventLoops}, the {@link ConnectionSettings}, the {@link
 * KeyChannels}, the {@link Replayer} and the two {@link ClientServer}s.
 *
 * <pre>
 * workerThreads: 0          # 0 = Netty's default, twice the cores
 * nativeTransport: true     # epoll where it loads, else NIO
 * firstRequestTimeout: 5s
 * minHeartbeatSeconds: 30
 * heartbeatGraceSeconds: 5
 * maxBulkLength: 2048
 * maxPendingMessages: 120
 * maxSubscribersPerKey: 64
 * closeTimeout: 5s
 * replay: {pageSize: 100, maxConcurrentFetches: 32, maxSinceAhead: 5m}
 * acks: {enabled: true, maxPerSecond: 20, maxPending: 100000, maxBatch: 1000,
 *        flushInterval: 100ms, maxInFlight: 4}
 * tcp: {bindHost: 0.0.0.0, port: 6969, backlog: 1024, tls: {enabled: false}}
 * ws:  {bindHost: 0.0.0.0, port: 6968, backlog: 1024, path: /sub, allowedOrigins: [],
 *       tls: {enabled: false}}
 * </pre>
 */
public class CometServersConfiguration {
    /** Threads running client connections; 0 for Netty's default (twice the cores). */
    @Min(0)
    @Max(1024)
    private int workerThreads = 0;

    /** Use native epoll when it loads here; false forces NIO. */
    private boolean nativeTransport = true;

    /** From accept to a complete first request (TCP {@code sub}, WebSocket upgrade). */
    @NotNull
    @MinDuration(value = 100, unit = TimeUnit.MILLISECONDS)
    private Duration firstRequestTimeout = Duration.seconds(5);

    /** Smallest heartbeat a client may ask for; below it the {@code sub} gets {@code -p}. */
    @Min(1)
    private int minHeartbeatSeconds = 30;

    /** Added to the client's heartbeat to get its read timeout. */
    @Min(0)
    private int heartbeatGraceSeconds = 5;

    /** Longest TCP request argument in bytes (tokens are JWTs). */
    @Min(16)
    @Max(65536)
    private int maxBulkLength = 2048;

    /** Messages written to a connection but not yet sent before it counts as a slow consumer. */
    @Min(1)
    private int maxPendingMessages = 120;

    /** Live connections one key may have on this comet; more get {@code -c}. */
    @Min(1)
    private int maxSubscribersPerKey = 64;

    /** How long stopping a listener waits for it, then for its connections, to close. */
    @NotNull private Duration closeTimeout = Duration.seconds(5);

    @Valid @NotNull private ReplayConfiguration replay = new ReplayConfiguration();

    /** (Pushbase) Client acknowledgements (docs/PROTOCOL.md "Acknowledgements"). */
    @Valid @NotNull private AckConfiguration acks = new AckConfiguration();

    /** (Pushbase, issue 14) The bounds of rooms. */
    @Valid @NotNull private RoomsConfiguration rooms = new RoomsConfiguration();

    @JsonProperty
    public RoomsConfiguration getRooms() {
        return rooms;
    }

    @JsonProperty
    public void setRooms(RoomsConfiguration rooms) {
        this.rooms = rooms;
    }

    @Valid @NotNull private TcpListenerConfiguration tcp = new TcpListenerConfiguration();

    @Valid @NotNull
    private WebSocketListenerConfiguration ws = new WebSocketListenerConfiguration();

    @JsonProperty
    public int getWorkerThreads() {
        return workerThreads;
    }

    @JsonProperty
    public void setWorkerThreads(int workerThreads) {
        this.workerThreads = workerThreads;
    }

    @JsonProperty
    public boolean isNativeTransport() {
        return nativeTransport;
    }

    @JsonProperty
    public void setNativeTransport(boolean nativeTransport) {
        this.nativeTransport = nativeTransport;
    }

    @JsonProperty
    public Duration getFirstRequestTimeout() {
        return firstRequestTimeout;
    }

    @JsonProperty
    public void setFirstRequestTimeout(Duration firstRequestTimeout) {
        this.firstRequestTimeout = firstRequestTimeout;
    }

    @JsonProperty
    public int getMinHeartbeatSeconds() {
        return minHeartbeatSeconds;
    }

    @JsonProperty
    public void setMinHeartbeatSeconds(int minHeartbeatSeconds) {
        this.minHeartbeatSeconds = minHeartbeatSeconds;
    }

    @JsonProperty
    public int getHeartbeatGraceSeconds() {
        return heartbeatGraceSeconds;
    }

    @JsonProperty
    public void setHeartbeatGraceSeconds(int heartbeatGraceSeconds) {
        this.heartbeatGraceSeconds = heartbeatGraceSeconds;
    }

    @JsonProperty
    public int getMaxBulkLength() {
        return maxBulkLength;
    }

    @JsonProperty
    public void setMaxBulkLength(int maxBulkLength) {
        this.maxBulkLength = maxBulkLength;
    }

    @JsonProperty
    public int getMaxPendingMessages() {
        return maxPendingMessages;
    }

    @JsonProperty
    public void setMaxPendingMessages(int maxPendingMessages) {
        this.maxPendingMessages = maxPendingMessages;
    }

    @JsonProperty
    public int getMaxSubscribersPerKey() {
        return maxSubscribersPerKey;
    }

    @JsonProperty
    public void setMaxSubscribersPerKey(int maxSubscribersPerKey) {
        this.maxSubscribersPerKey = maxSubscribersPerKey;
    }

    @JsonProperty
    public Duration getCloseTimeout() {
        return closeTimeout;
    }

    @JsonProperty
    public void setCloseTimeout(Duration closeTimeout) {
        this.closeTimeout = closeTimeout;
    }

    @JsonProperty
    public ReplayConfiguration getReplay() {
        return replay;
    }

    @JsonProperty
    public void setReplay(ReplayConfiguration replay) {
        this.replay = replay;
    }

    @JsonProperty
    public AckConfiguration getAcks() {
        return acks;
    }

    @JsonProperty
    public void setAcks(AckConfiguration acks) {
        this.acks = acks;
    }

    @JsonProperty
    public TcpListenerConfiguration getTcp() {
        return tcp;
    }

    @JsonProperty
    public void setTcp(TcpListenerConfiguration tcp) {
        this.tcp = tcp;
    }

    @JsonProperty
    public WebSocketListenerConfiguration getWs() {
        return ws;
    }

    @JsonProperty
    public void setWs(WebSocketListenerConfiguration ws) {
        this.ws = ws;
    }

    @JsonIgnore
    @ValidationMethod(message = "tcp.port and ws.port must differ")
    public boolean isEachListenerOnItsOwnPort() {
        return tcp == null || ws == null || tcp.getPort() == 0 || tcp.getPort() != ws.getPort();
    }

    /**
     * The comet's resume on subscribe, reading stored messages from {@code history} and (Pushbase,
     * issue 15) device cursors from {@code cursors}.
     */
    public Replayer buildReplayer(
            MessageHistory history, DeviceCursors cursors, MetricRegistry metrics) {
        return replay.build(history, cursors, MidClock.system(), metrics);
    }

    /** The limits of every client connection, TCP and WebSocket. */
    public ConnectionSettings buildConnectionSettings() {
        return ConnectionSettings.builder()
                .firstRequestTimeout(firstRequestTimeout.toJavaDuration())
                .minHeartbeatSeconds(minHeartbeatSeconds)
                .heartbeatGraceSeconds(heartbeatGraceSeconds)
                .maxBulkLength(maxBulkLength)
                .maxPendingMessages(maxPendingMessages)
                .webSocketPath(ws.getPath())
                .allowedOrigins(new LinkedHashSet<>(ws.getAllowedOrigins()))
                .ssePath(ws.getSsePath())
                .sseHeartbeat(ws.getSseHeartbeat().toJavaDuration())
                .build();
    }

    /** Not-yet-started event loops for both listeners; manage them before the servers. */
    public EventLoops buildEventLoops() {
        return new EventLoops(
                nativeTransport ? Transport.preferred() : Transport.NIO, workerThreads);
    }

    /** The registry of live subscribers by key, {@code maxSubscribersPerKey} each. */
    public KeyChannels buildKeyChannels(MetricRegistry metrics) {
        return new KeyChannels(maxSubscribersPerKey, metrics);
    }

    /**
     * The not-yet-started TCP listener; its connection counters are {@code comet.tcp.*}, its
     * connections' acknowledgements go to {@code acks} ({@link Acks#off()}: none).
     *
     * @throws SSLException if {@code tcp.tls} is enabled and its files do not make a context
     */
    public ClientServer buildTcpServer(
            EventLoops loops,
            ConnectionSettings settings,
            SubscriptionGate gate,
            Replayer replayer,
            MetricRegistry metrics,
            Acks acks)
            throws SSLException {
        return buildTcpServer(
                loops, settings, gate, replayer, RoomJoins.standalone(replayer), metrics, acks);
    }

    /** The TCP listener with (Pushbase) the comet's rooms and acknowledgements. */
    public ClientServer buildTcpServer(
            EventLoops loops,
            ConnectionSettings settings,
            SubscriptionGate gate,
            Replayer replayer,
            RoomJoins roomJoins,
            MetricRegistry metrics,
            Acks acks)
            throws SSLException {
        ConnectionMetrics counters =
                new ConnectionMetrics(metrics, ClientProtocol.TCP.metricPrefix());
        return tcp.buildServer(
                ClientProtocol.TCP,
                loops,
                new TcpInitializer(settings, gate, replayer, counters, acks, roomJoins),
                metrics,
                closeTimeout.toJavaDuration());
    }

    /**
     * The not-yet-started WebSocket listener; its connection counters are {@code comet.ws.*}, those
     * of its Server-Sent Events streams (Pushbase) {@code comet.sse.*}; its connections'
     * acknowledgements go to {@code acks} ({@link Acks#off()}: none).
     *
     * @throws SSLException if {@code ws.tls} is enabled and its files do not make a context
     */
    public ClientServer buildWebSocketServer(
            EventLoops loops,
            ConnectionSettings settings,
            SubscriptionGate gate,
            Replayer replayer,
            MetricRegistry metrics,
            Acks acks)
            throws SSLException {
        return buildWebSocketServer(
                loops, settings, gate, replayer, RoomJoins.standalone(replayer), metrics, acks);
    }

    /** The WebSocket listener with (Pushbase) the comet's rooms and acknowledgements. */
    public ClientServer buildWebSocketServer(
            EventLoops loops,
            ConnectionSettings settings,
            SubscriptionGate gate,
            Replayer replayer,
            RoomJoins roomJoins,
            MetricRegistry metrics,
            Acks acks)
            throws SSLException {
        ConnectionMetrics counters =
                new ConnectionMetrics(metrics, ClientProtocol.WEBSOCKET.metricPrefix());
        return ws.buildServer(
                ClientProtocol.WEBSOCKET,
                loops,
                new WebSocketInitializer(
                        settings,
                        gate,
                        replayer,
                        counters,
                        new ConnectionMetrics(metrics, ClientProtocol.SSE_METRIC_PREFIX),
                        acks,
                        roomJoins),
                metrics,
                closeTimeout.toJavaDuration());
    }
}
