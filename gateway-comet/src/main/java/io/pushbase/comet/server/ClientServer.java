package io.pushbase.comet.server;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.dropwizard.lifecycle.Managed;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One listening socket for comet clients: binds a host and port, accepts connections on the shared
 * {@link EventLoops}, and gives each the pipeline of its protocol's initializer ({@code
 * TcpInitializer} or {@code WebSocketInitializer}), behind an {@code SslHandler} when TLS is on. It
 * only bootstraps; what a connection does is the pipeline's business.
 *
 * <p><b>Ownership:</b> borrows its event loops from an {@link EventLoops}, which must be running
 * from before {@link #start()} until after {@link #stop()} (manage it first), and owns its
 * listening channel and every connection it accepted. Registers the gauge {@link
 * ClientProtocol#connectionsGauge()} (open connections) while running; one running server per
 * protocol per registry.
 *
 * <p><b>Socket options:</b> {@code SO_BACKLOG} as configured, {@code SO_REUSEADDR} (a restart binds
 * again while old connections sit in TIME_WAIT), {@code TCP_NODELAY} (pushes and {@code +h} are
 * small and must leave at once), {@code SO_KEEPALIVE} (the kernel also notices dead peers between
 * heartbeats). The allocator is Netty's default (in 4.2 the adaptive pooled allocator; set with
 * {@code -Dio.netty.allocator.type}): an idle connection holds no buffer, only its channel,
 * pipeline and the heartbeat timeout its pipeline schedules; no thread and no timer of its own.
 *
 * <p><b>Lifecycle:</b> {@link #start()} binds or throws (e.g. the port is taken). {@link #stop()}
 * closes the listening channel first, so no new connection arrives, then closes every accepted
 * connection without a reply (subscribers leave their channels as they close; clients reconnect and
 * pull what they missed), waiting up to {@code closeTimeout} for each step. Not restartable. {@code
 * start} and {@code stop} are called by one lifecycle thread; the accessors are thread-safe.
 */
public final class ClientServer implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(ClientServer.class);

    private final ClientProtocol protocol;
    private final EventLoops loops;
    private final ChannelInitializer<? extends Channel> initializer;
    private final MetricRegistry metrics;
    private final String bindHost;
    private final int port;
    private final int backlog;
    private final SslContext sslContext;
    private final Duration closeTimeout;
    private final ChannelGroup connections;
    private volatile Channel listener;
    private volatile boolean stopping;

    private ClientServer(Builder builder) {
        this.protocol = builder.protocol;
        this.loops = builder.loops;
        this.initializer = builder.initializer;
        this.metrics = builder.metrics;
        this.bindHost = builder.bindHost;
        this.port = builder.port;
        this.backlog = builder.backlog;
        this.sslContext = builder.sslContext;
        this.closeTimeout = builder.closeTimeout;
        // The global executor only notifies the group's futures; it is one lazy, shared thread.
        this.connections =
                new DefaultChannelGroup(
                        protocol.label() + "-clients", GlobalEventExecutor.INSTANCE);
    }

    /**
     * @param protocol names the listener in logs and metrics; must match the initializer
     * @param loops the event loops to run on
     * @param initializer builds each connection's pipeline; shared by every connection
     * @param metrics where the open-connections gauge goes
     */
    public static Builder builder(
            ClientProtocol protocol,
            EventLoops loops,
            ChannelInitializer<? extends Channel> initializer,
            MetricRegistry metrics) {
        return new Builder(protocol, loops, initializer, metrics);
    }

    /**
     * Binds and starts accepting.
     *
     * @throws IllegalStateException if already started, or the event loops are not running
     * @throws Exception if the address cannot be bound (e.g. {@code BindException})
     */
    @Override
    public void start() throws Exception {
        if (listener != null || stopping) {
            throw new IllegalStateException(protocol.label() + " server can be started once");
        }
        ServerBootstrap bootstrap =
                new ServerBootstrap()
                        .group(loops.boss(), loops.workers())
                        .channel(loops.transport().serverChannelType())
                        .option(ChannelOption.SO_BACKLOG, backlog)
                        .option(ChannelOption.SO_REUSEADDR, true)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childOption(ChannelOption.SO_KEEPALIVE, true)
                        .childHandler(
                                new ConnectionInitializer(
                                        initializer, sslContext, connections, () -> stopping));
        metrics.register(protocol.connectionsGauge(), (Gauge<Integer>) connections::size);
        try {
            listener = bootstrap.bind(bindHost, port).sync().channel();
        } catch (Exception e) {
            metrics.remove(protocol.connectionsGauge());
            throw e;
        }
        LOG.info(
                "{} clients on {} ({}{})",
                protocol.label(),
                listener.localAddress(),
                loops.transport().name().toLowerCase(Locale.ROOT),
                sslContext != null ? ", TLS" : "");
    }

    public ClientProtocol protocol() {
        return protocol;
    }

    /** The bound port (the real one when configured with 0). */
    public int port() {
        return localAddress().getPort();
    }

    /** The bound address. */
    public InetSocketAddress localAddress() {
        Channel channel = listener;
        if (channel == null) {
            throw new IllegalStateException(protocol.label() + " server is not started");
        }
        return (InetSocketAddress) channel.localAddress();
    }

    /** Whether connections are encrypted with TLS. */
    public boolean isTls() {
        return sslContext != null;
    }

    /** Open client connections right now, subscribed or not yet. */
    public int connectionCount() {
        return connections.size();
    }

    /** Closes the listening channel, then every accepted connection. Idempotent. */
    @Override
    public void stop() throws InterruptedException {
        Channel channel = listener;
        if (stopping) {
            return;
        }
        stopping = true;
        if (channel == null) {
            return;
        }
        Object address = channel.localAddress();
        long waitMillis = closeTimeout.toMillis();
        if (!channel.close().await(waitMillis)) {
            LOG.warn("{} listener did not close within {} ms", protocol.label(), waitMillis);
        }
        int open = connections.size();
        if (!connections.close().await(waitMillis)) {
            LOG.warn(
                    "{} of {} {} connections still open after {} ms",
                    connections.size(),
                    open,
                    protocol.label(),
                    waitMillis);
        }
        metrics.remove(protocol.connectionsGauge());
        LOG.info(
                "{} listener {} closed, then its {} open connections",
                protocol.label(),
                address,
                open);
    }

    /** Validates on {@link #build()}; not thread-safe. */
    public static final class Builder {
        private final ClientProtocol protocol;
        private final EventLoops loops;
        private final ChannelInitializer<? extends Channel> initializer;
        private final MetricRegistry metrics;
        private String bindHost = "0.0.0.0";
        private int port = -1;
        private int backlog = 1024;
        private SslContext sslContext;
        private Duration closeTimeout = Duration.ofSeconds(5);

        private Builder(
                ClientProtocol protocol,
                EventLoops loops,
                ChannelInitializer<? extends Channel> initializer,
                MetricRegistry metrics) {
            this.protocol = Objects.requireNonNull(protocol, "protocol");
            this.loops = Objects.requireNonNull(loops, "loops");
            this.initializer = Objects.requireNonNull(initializer, "initializer");
            this.metrics = Objects.requireNonNull(metrics, "metrics");
        }

        /**
         * @param host an interface address or name; {@code 0.0.0.0} (the default) for all
         * @param port 0 for any free port (see {@link ClientServer#port()}); required
         */
        public Builder bind(String host, int port) {
            this.bindHost = Objects.requireNonNull(host, "host");
            this.port = port;
            return this;
        }

        /** Pending connections the kernel queues before they are accepted; default 1024. */
        public Builder backlog(int backlog) {
            this.backlog = backlog;
            return this;
        }

        /** Serve TLS with this server context; null (the default) for plain TCP. */
        public Builder tls(SslContext sslContext) {
            if (sslContext != null && !sslContext.isServer()) {
                throw new IllegalArgumentException("not a server SslContext");
            }
            this.sslContext = sslContext;
            return this;
        }

        /** How long stop waits for the listener, then for the connections, to close; 5 s. */
        public Builder closeTimeout(Duration closeTimeout) {
            this.closeTimeout = Objects.requireNonNull(closeTimeout, "closeTimeout");
            return this;
        }

        public ClientServer build() {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535: " + port);
            }
            if (backlog < 1) {
                throw new IllegalArgumentException("backlog must be positive: " + backlog);
            }
            if (closeTimeout.isNegative()) {
                throw new IllegalArgumentException("closeTimeout must not be negative");
            }
            return new ClientServer(this);
        }
    }
}
