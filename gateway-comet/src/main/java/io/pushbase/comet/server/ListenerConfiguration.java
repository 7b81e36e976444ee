package io.pushbase.comet.server;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import javax.net.ssl.SSLException;

/**
 * What every comet listener's YAML block has: the address it binds, its accept backlog and its
 * {@code tls:} block. Builds the {@link ClientServer}. Subclasses fix the default port and add
 * their protocol's settings.
 */
public abstract class ListenerConfiguration {
    @NotEmpty private String bindHost = "0.0.0.0";

    @Min(0)
    @Max(65535)
    private int port;

    /** Connections the kernel queues before the comet accepts them (a reconnect storm). */
    @Min(1)
    private int backlog = 1024;

    @Valid @NotNull private TlsConfiguration tls = new TlsConfiguration();

    protected ListenerConfiguration(int defaultPort) {
        this.port = defaultPort;
    }

    @JsonProperty
    public String getBindHost() {
        return bindHost;
    }

    @JsonProperty
    public void setBindHost(String bindHost) {
        this.bindHost = bindHost;
    }

    @JsonProperty
    public int getPort() {
        return port;
    }

    @JsonProperty
    public void setPort(int port) {
        this.port = port;
    }

    @JsonProperty
    public int getBacklog() {
        return backlog;
    }

    @JsonProperty
    public void setBacklog(int backlog) {
        this.backlog = backlog;
    }

    @JsonProperty
    public TlsConfiguration getTls() {
        return tls;
    }

    @JsonProperty
    public void setTls(TlsConfiguration tls) {
        this.tls = tls;
    }

    /**
     * A not-yet-started server for this listener, with TLS when enabled; manage it after {@code
     * loops}.
     *
     * @throws SSLException if TLS is enabled and its files do not make a server context
     */
    public ClientServer buildServer(
            ClientProtocol protocol,
            EventLoops loops,
            ChannelInitializer<? extends Channel> initializer,
            MetricRegistry metrics,
            Duration closeTimeout)
            throws SSLException {
        return ClientServer.builder(protocol, loops, initializer, metrics)
                .bind(bindHost, port)
                .backlog(backlog)
                .tls(tls.buildSslContext().orElse(null))
                .closeTimeout(closeTimeout)
                .build();
    }
}
