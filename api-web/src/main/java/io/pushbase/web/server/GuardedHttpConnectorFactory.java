package io.pushbase.web.server;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeName;
import io.dropwizard.jetty.HttpConnectorFactory;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.ThreadPool;

/**
 * Dropwizard's {@code http} connector (every setting of {@link HttpConnectorFactory}: {@code
 * idleTimeout}, {@code minRequestDataPerSecond}, {@code maxRequestHeaderSize}, ...) plus the bounds
 * Jetty does not apply by itself to a client that trickles its request (slowloris), as YAML {@code
 * type: pushbase-http}:
 *
 * <ul>
 *   <li>{@code requestHeaderTimeout}: a request's headers must be complete within this time — from
 *       the accept for the first request of a connection, from its first byte for a later one —
 *       else the connection is closed ({@link HeaderDeadlineConnectionFactory}). Jetty's idle
 *       timeout restarts with every byte, so without it one byte every few seconds keeps a
 *       connection forever. 0 turns it off. The body is bounded by the idle timeout and, when set,
 *       {@code minRequestDataPerSecond} (Jetty answers 408 below the rate; web.yml leaves it off:
 *       Jetty measures it when the application reads, so small bodies read late fail).
 *   <li>{@code maxConnections}: at most this many connections on this listener (Jetty's {@link
 *       CountingConnectionLimit NetworkConnectionLimit}): at the cap the listener stops accepting,
 *       so further connections wait in the kernel's accept queue ({@code acceptQueueSize}) until
 *       one closes, and the idle timeout of the listener's connections drops to {@code
 *       idleTimeoutAtLimit}. Each listener has its own cap: keep the sum, plus the node's other
 *       descriptors, below the process's open-files limit so a saturated application port never
 *       takes the admin port's descriptors. 0 means no cap.
 * </ul>
 *
 * <p>{@code name} names the listener in its metrics; without it, Dropwizard's connector name
 * ({@code application}, {@code admin}) does, which every admin listener shares: a second admin
 * listener (web.yml's {@code ops}) must have a name of its own.
 *
 * <p>Metrics, {@code <name>} being the listener's name: meters {@code
 * web.http.<name>.headerTimeouts} (connections closed by the header deadline), {@code
 * web.http.<name>.limitReached} (times the cap was reached), {@code web.http.<name>.refused}
 * (connections closed at accept over the cap) and gauge {@code web.http.<name>.connections}.
 *
 * <p>A configuration bean: built once per listener by Dropwizard, on its start-up thread; the
 * connector it builds is owned by Jetty's {@link Server}, which starts and stops the limit with it.
 */
@JsonTypeName("pushbase-http")
public class GuardedHttpConnectorFactory extends HttpConnectorFactory {
    @NotNull private Duration requestHeaderTimeout = Duration.seconds(10);

    @Min(0)
    private int maxConnections;

    @NotNull private Duration idleTimeoutAtLimit = Duration.seconds(2);

    @Pattern(regexp = "[A-Za-z][A-Za-z0-9-]*")
    private String name;

    /** The listener being built; read by {@link #buildHttpConnectionFactory} during build. */
    private ListenerMetrics building;

    @JsonProperty
    public Duration getRequestHeaderTimeout() {
        return requestHeaderTimeout;
    }

    @JsonProperty
    public void setRequestHeaderTimeout(Duration requestHeaderTimeout) {
        this.requestHeaderTimeout = requestHeaderTimeout;
    }

    @JsonProperty
    public int getMaxConnections() {
        return maxConnections;
    }

    @JsonProperty
    public void setMaxConnections(int maxConnections) {
        this.maxConnections = maxConnections;
    }

    @JsonProperty
    public Duration getIdleTimeoutAtLimit() {
        return idleTimeoutAtLimit;
    }

    @JsonProperty
    public void setIdleTimeoutAtLimit(Duration idleTimeoutAtLimit) {
        this.idleTimeoutAtLimit = idleTimeoutAtLimit;
    }

    /** The listener's name in its metrics; null: Dropwizard's connector name. */
    @JsonProperty
    public String getName() {
        return name;
    }

    @JsonProperty
    public void setName(String name) {
        this.name = name;
    }

    @Override
    public Connector build(
            Server server, MetricRegistry metrics, String connectorName, ThreadPool threadPool) {
        String listenerName = name == null ? connectorName : name;
        ListenerMetrics listener = new ListenerMetrics(metrics, "web.http." + listenerName);
        building = listener;
        ServerConnector connector;
        try {
            connector = (ServerConnector) super.build(server, metrics, connectorName, threadPool);
        } finally {
            building = null;
        }
        if (maxConnections > 0) {
            CountingConnectionLimit limit =
                    new CountingConnectionLimit(maxConnections, listener, connector);
            limit.setEndPointIdleTimeout(idleTimeoutAtLimit.toMilliseconds());
            // A bean of its connector: started and stopped with it.
            connector.addBean(limit);
            try {
                metrics.register(
                        listener.prefix() + ".connections",
                        (Gauge<Integer>) limit::getNetworkConnectionCount);
            } catch (IllegalArgumentException taken) {
                throw new IllegalStateException(
                        "two capped listeners are named '"
                                + listenerName
                                + "': give each one its own name (type: pushbase-http, name: ...)",
                        taken);
            }
        }
        return connector;
    }

    @Override
    protected HttpConnectionFactory buildHttpConnectionFactory(HttpConfiguration configuration) {
        long timeout = requestHeaderTimeout.toMilliseconds();
        if (timeout <= 0 || building == null) {
            return super.buildHttpConnectionFactory(configuration);
        }
        HttpConnectionFactory factory =
                new HeaderDeadlineConnectionFactory(
                        configuration, timeout, building.headerTimeouts());
        // What Dropwizard's own factory sets besides the configuration.
        HttpConnectionFactory plain = super.buildHttpConnectionFactory(configuration);
        factory.setInputBufferSize(plain.getInputBufferSize());
        factory.setUseInputDirectByteBuffers(plain.isUseInputDirectByteBuffers());
        factory.setUseOutputDirectByteBuffers(plain.isUseOutputDirectByteBuffers());
        return factory;
    }
}
