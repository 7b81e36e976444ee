package io.pushbase.comet.server;

/**
 * The comet's two client protocols (docs/PROTOCOL.md section 3) and the names they go by in logs
 * and metrics. Every metric of one protocol's connections starts with {@link #metricPrefix()}: the
 * {@code ConnectionMetrics} counters and the {@link ClientServer}'s open-connections gauge.
 */
public enum ClientProtocol {
    /** RESP {@code sub} over TCP, default port 6969. */
    TCP("tcp"),
    /** {@code /sub?key=...} over WebSocket, default port 6968. */
    WEBSOCKET("ws");

    /**
     * (Pushbase) The counters of Server-Sent Events streams ({@code ConnectionMetrics}), which run
     * on the WebSocket listener: their connections are in {@code comet.ws.connections}.
     */
    public static final String SSE_METRIC_PREFIX = "comet.sse";

    private final String label;

    ClientProtocol(String label) {
        this.label = label;
    }

    /** Short name: {@code tcp} or {@code ws}. */
    public String label() {
        return label;
    }

    /** {@code comet.tcp} or {@code comet.ws}. */
    public String metricPrefix() {
        return "comet." + label;
    }

    /**
     * The gauge of this protocol's open client connections ({@code comet.tcp.connections}): every
     * accepted connection until it closes, subscribed or not yet.
     */
    public String connectionsGauge() {
        return metricPrefix() + ".connections";
    }
}
