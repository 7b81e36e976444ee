package io.pushbase.comet.stat;

import com.codahale.metrics.Counting;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pushbase.comet.channel.KeyChannels;
import io.pushbase.comet.server.ClientProtocol;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * gopush-cluster's comet stat port, for the Dropwizard admin port ({@code
 * environment.admin().addServlet("stat", ...).addMapping("/stat")}). {@code GET /stat?type=<type>}
 * answers {@code {"ret":0,"data":{...}}} ({@code application/json}):
 *
 * <ul>
 *   <li>{@code type=server}: {@code node}, {@code uptimeSeconds}, {@code connections} (open client
 *       connections by protocol, {@code tcp} and {@code ws}, subscribed or not yet), {@code
 *       subscribed} (connections live in a channel), {@code channels} (keys with a live
 *       connection), {@code pushes} ({@code acknowledged}: answered with their mid; {@code failed}:
 *       no message node took them, nothing delivered; {@code rejected}: refused by a bound or for a
 *       key this comet does not own), {@code messages} ({@code delivered}: written to a connection,
 *       one per connection; {@code undelivered}: its connection was closing or full), {@code
 *       slowConsumers} (connections closed for not reading, both protocols);
 *   <li>{@code type=connection}: {@code connections} by protocol and {@code subscribed};
 *   <li>{@code type=channel&key=<key>}: {@code key} and its {@code connections} (0 when none).
 * </ul>
 *
 * A missing or unknown {@code type}, or {@code channel} without {@code key}, answers HTTP 400 with
 * {@code {"ret":65534,"msg":"<what is wrong>"}} (the protocol's parameter error).
 *
 * <p>The counts come from the comet's {@link MetricRegistry} under the names {@code KeyChannels},
 * {@code PushPipeline}, {@code ConnectionMetrics} and {@code ClientServer} register (a metric not
 * registered yet reads 0); the per-key count from {@link KeyChannels}. Every answer is a snapshot.
 * Thread-safe; reads only.
 */
public final class StatServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    static final int RET_OK = 0;
    static final int RET_PARAM = 65534;

    private static final String TYPES = "expected server, connection or channel";

    private final String nodeName;
    private final KeyChannels channels;
    private final MetricRegistry metrics;
    private final Instant startedAt;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();

    /** Uptime counts from the JVM's start. */
    public StatServlet(String nodeName, KeyChannels channels, MetricRegistry metrics) {
        this(
                nodeName,
                channels,
                metrics,
                Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime()),
                Clock.systemUTC());
    }

    /**
     * @param nodeName this comet's node name (its place on the hash ring)
     * @param startedAt uptime counts from here, read with {@code clock}
     */
    public StatServlet(
            String nodeName,
            KeyChannels channels,
            MetricRegistry metrics,
            Instant startedAt,
            Clock clock) {
        this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
        this.channels = Objects.requireNonNull(channels, "channels");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.startedAt = Objects.requireNonNull(startedAt, "startedAt");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        String type = request.getParameter("type");
        if (type == null || type.isEmpty()) {
            error(response, "missing parameter type: " + TYPES);
            return;
        }
        switch (type) {
            case "server" -> ok(response, server());
            case "connection" -> ok(response, connection());
            case "channel" -> {
                String key = request.getParameter("key");
                if (key == null || key.isEmpty()) {
                    error(response, "type=channel needs parameter key");
                } else {
                    ok(response, channel(key));
                }
            }
            default -> error(response, "unknown type " + quote(type) + ": " + TYPES);
        }
    }

    private ObjectNode server() {
        ObjectNode data = json.createObjectNode();
        data.put("node", nodeName);
        data.put(
                "uptimeSeconds",
                Math.max(0, Duration.between(startedAt, clock.instant()).toSeconds()));
        data.set("connections", connectionsByProtocol());
        data.put("subscribed", gauge("comet.connections"));
        data.put("channels", gauge("comet.channels"));
        ObjectNode pushes = data.putObject("pushes");
        pushes.put("acknowledged", count("comet.push.acknowledged"));
        pushes.put("failed", count("comet.push.failed"));
        pushes.put("rejected", count("comet.push.rejected"));
        ObjectNode messages = data.putObject("messages");
        messages.put("delivered", count("comet.push.delivered"));
        messages.put("undelivered", count("comet.push.undelivered"));
        long slow = 0;
        for (ClientProtocol protocol : ClientProtocol.values()) {
            slow += count(protocol.metricPrefix() + ".closed.slowConsumer");
        }
        data.put("slowConsumers", slow);
        return data;
    }

    private ObjectNode connection() {
        ObjectNode data = json.createObjectNode();
        data.set("connections", connectionsByProtocol());
        data.put("subscribed", gauge("comet.connections"));
        return data;
    }

    private ObjectNode channel(String key) {
        ObjectNode data = json.createObjectNode();
        data.put("key", key);
        data.put("connections", channels.count(key));
        return data;
    }

    private ObjectNode connectionsByProtocol() {
        ObjectNode byProtocol = json.createObjectNode();
        for (ClientProtocol protocol : ClientProtocol.values()) {
            byProtocol.put(protocol.label(), gauge(protocol.connectionsGauge()));
        }
        return byProtocol;
    }

    private long gauge(String name) {
        Metric metric = metrics.getMetrics().get(name);
        if (metric instanceof Gauge<?> gauge && gauge.getValue() instanceof Number value) {
            return value.longValue();
        }
        return 0;
    }

    private long count(String name) {
        return metrics.getMetrics().get(name) instanceof Counting counting
                ? counting.getCount()
                : 0;
    }

    private void ok(HttpServletResponse response, ObjectNode data) throws IOException {
        ObjectNode body = json.createObjectNode();
        body.put("ret", RET_OK);
        body.set("data", data);
        write(response, HttpServletResponse.SC_OK, body);
    }

    private void error(HttpServletResponse response, String message) throws IOException {
        ObjectNode body = json.createObjectNode();
        body.put("ret", RET_PARAM);
        body.put("msg", message);
        write(response, HttpServletResponse.SC_BAD_REQUEST, body);
    }

    private void write(HttpServletResponse response, int status, ObjectNode body)
            throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        response.setStatus(status);
        response.setContentType("application/json;charset=utf-8");
        // Counts change by the second: a cached answer would mislead.
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    /** The client's value for the error message, cut short so the answer stays small. */
    private static String quote(String value) {
        return "'" + (value.length() > 32 ? value.substring(0, 32) + "..." : value) + "'";
    }
}
