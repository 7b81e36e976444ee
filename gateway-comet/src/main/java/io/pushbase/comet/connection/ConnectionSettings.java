package io.pushbase.comet.connection;

import io.pushbase.comet.codec.RespRequestDecoder;
import io.pushbase.comet.subscription.SubscriptionParser;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * The tunables and hard limits of client connections, shared by the TCP and WebSocket pipelines.
 * Immutable; build with {@link #builder()}, which starts from the defaults (docs/PROTOCOL.md
 * section 3 and gopush-cluster's) and validates every value.
 *
 * @param firstRequestTimeout time from accept to a complete first request (TCP {@code sub}, or the
 *     WebSocket upgrade request) before the comet closes the connection; default 5 s
 * @param minHeartbeatSeconds smallest heartbeat period a client may ask for; default 30
 * @param heartbeatGraceSeconds added to the client's heartbeat period to get the read timeout of a
 *     subscribed connection; default 5
 * @param maxBulkLength longest TCP request argument in bytes; default 2048 (tokens are JWTs)
 * @param maxLineLength longest {@code *N} / {@code $N} line of a TCP request; default 16
 * @param maxPendingMessages a subscriber's outbound bound: messages written but not yet flushed to
 *     the socket; default 120 (gopush-cluster's {@code msgbuf.num})
 * @param webSocketPath the WebSocket subscribe path; default {@code /sub}
 * @param allowedOrigins WebSocket handshakes whose {@code Origin} is not listed get 403; empty (the
 *     default) allows all. A handshake without {@code Origin} is always accepted.
 * @param maxHttpLineLength longest HTTP request line of the WebSocket handshake; default 8192
 * @param maxHttpHeaderSize largest HTTP header block of the WebSocket handshake; default 8192
 * @param maxWebSocketFramePayload largest client WebSocket frame payload; default 1024 (clients
 *     only ever send the heartbeat {@code h})
 * @param ssePath (Pushbase) the Server-Sent Events path on the WebSocket listener; default {@code
 *     /sse} (docs/PROTOCOL.md, Server-Sent Events)
 * @param sseHeartbeat (Pushbase) the period of the comment line a Server-Sent Events stream gets as
 *     its heartbeat; default 25 s
 */
public record ConnectionSettings(
        Duration firstRequestTimeout,
        int minHeartbeatSeconds,
        int heartbeatGraceSeconds,
        int maxBulkLength,
        int maxLineLength,
        int maxPendingMessages,
        String webSocketPath,
        Set<String> allowedOrigins,
        int maxHttpLineLength,
        int maxHttpHeaderSize,
        int maxWebSocketFramePayload,
        String ssePath,
        Duration sseHeartbeat) {

    /** The default {@link #ssePath}. */
    public static final String DEFAULT_SSE_PATH = "/sse";

    /** The default {@link #sseHeartbeat}. */
    public static final Duration DEFAULT_SSE_HEARTBEAT = Duration.ofSeconds(25);

    public ConnectionSettings {
        Objects.requireNonNull(firstRequestTimeout, "firstRequestTimeout");
        Objects.requireNonNull(webSocketPath, "webSocketPath");
        allowedOrigins = Set.copyOf(allowedOrigins);
        if (firstRequestTimeout.isNegative() || firstRequestTimeout.isZero()) {
            throw new IllegalArgumentException("firstRequestTimeout must be positive");
        }
        positive("minHeartbeatSeconds", minHeartbeatSeconds);
        if (heartbeatGraceSeconds < 0) {
            throw new IllegalArgumentException("heartbeatGraceSeconds must not be negative");
        }
        positive("maxBulkLength", maxBulkLength);
        if (maxLineLength < 4) {
            throw new IllegalArgumentException("maxLineLength must be at least 4");
        }
        positive("maxPendingMessages", maxPendingMessages);
        if (!webSocketPath.startsWith("/")) {
            throw new IllegalArgumentException("webSocketPath must start with /");
        }
        positive("maxHttpLineLength", maxHttpLineLength);
        positive("maxHttpHeaderSize", maxHttpHeaderSize);
        positive("maxWebSocketFramePayload", maxWebSocketFramePayload);
        Objects.requireNonNull(ssePath, "ssePath");
        Objects.requireNonNull(sseHeartbeat, "sseHeartbeat");
        if (!ssePath.startsWith("/")) {
            throw new IllegalArgumentException("ssePath must start with /");
        }
        if (ssePath.equals(webSocketPath)) {
            throw new IllegalArgumentException(
                    "ssePath must differ from webSocketPath: " + ssePath);
        }
        if (sseHeartbeat.toMillis() < 1000) {
            throw new IllegalArgumentException(
                    "sseHeartbeat must be at least 1 s: " + sseHeartbeat);
        }
    }

    public static ConnectionSettings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Seconds without input after which a subscribed connection is closed. */
    public long readTimeoutSeconds(int heartbeatSeconds) {
        return (long) heartbeatSeconds + heartbeatGraceSeconds;
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }

    /** Starts from the defaults; {@link #build()} validates. Not thread-safe. */
    public static final class Builder {
        private Duration firstRequestTimeout = Duration.ofSeconds(5);
        private int minHeartbeatSeconds = SubscriptionParser.DEFAULT_MIN_HEARTBEAT_SECONDS;
        private int heartbeatGraceSeconds = 5;
        private int maxBulkLength = RespRequestDecoder.DEFAULT_MAX_BULK_LENGTH;
        private int maxLineLength = RespRequestDecoder.DEFAULT_MAX_LINE_LENGTH;
        private int maxPendingMessages = 120;
        private String webSocketPath = "/sub";
        private Set<String> allowedOrigins = Set.of();
        private int maxHttpLineLength = 8192;
        private int maxHttpHeaderSize = 8192;
        private int maxWebSocketFramePayload = 1024;
        private String ssePath = DEFAULT_SSE_PATH;
        private Duration sseHeartbeat = DEFAULT_SSE_HEARTBEAT;

        private Builder() {}

        public Builder firstRequestTimeout(Duration value) {
            this.firstRequestTimeout = value;
            return this;
        }

        public Builder minHeartbeatSeconds(int value) {
            this.minHeartbeatSeconds = value;
            return this;
        }

        public Builder heartbeatGraceSeconds(int value) {
            this.heartbeatGraceSeconds = value;
            return this;
        }

        public Builder maxBulkLength(int value) {
            this.maxBulkLength = value;
            return this;
        }

        public Builder maxLineLength(int value) {
            this.maxLineLength = value;
            return this;
        }

        public Builder maxPendingMessages(int value) {
            this.maxPendingMessages = value;
            return this;
        }

        public Builder webSocketPath(String value) {
            this.webSocketPath = value;
            return this;
        }

        public Builder allowedOrigins(Set<String> value) {
            this.allowedOrigins = value;
            return this;
        }

        public Builder maxHttpLineLength(int value) {
            this.maxHttpLineLength = value;
            return this;
        }

        public Builder maxHttpHeaderSize(int value) {
            this.maxHttpHeaderSize = value;
            return this;
        }

        public Builder maxWebSocketFramePayload(int value) {
            this.maxWebSocketFramePayload = value;
            return this;
        }

        public Builder ssePath(String value) {
            this.ssePath = value;
            return this;
        }

        public Builder sseHeartbeat(Duration value) {
            this.sseHeartbeat = value;
            return this;
        }

        public ConnectionSettings build() {
            return new ConnectionSettings(
                    firstRequestTimeout,
                    minHeartbeatSeconds,
                    heartbeatGraceSeconds,
                    maxBulkLength,
                    maxLineLength,
                    maxPendingMessages,
                    webSocketPath,
                    allowedOrigins,
                    maxHttpLineLength,
                    maxHttpHeaderSize,
                    maxWebSocketFramePayload,
                    ssePath,
                    sseHeartbeat);
        }
    }
}
