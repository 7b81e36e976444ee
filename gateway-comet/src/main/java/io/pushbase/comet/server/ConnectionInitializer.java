package io.pushbase.comet.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.ssl.SslContext;
import java.util.function.BooleanSupplier;

/**
 * The child handler of a {@link ClientServer}: puts an {@code SslHandler} first when the listener
 * has TLS, then lets the protocol's own initializer ({@code TcpInitializer} or {@code
 * WebSocketInitializer}) build the rest of the pipeline behind it, unchanged. The connection joins
 * its server's group so that stopping the server can close it.
 *
 * <pre>
 * tls        SslHandler    only with TLS: decrypts in, encrypts out
 * (protocol) the protocol initializer's handlers, as without TLS
 * </pre>
 *
 * Shared by every connection of one server; thread-safe. Runs once per connection on its event loop
 * and adds no timer and no thread: the protocol pipeline's first-request timeout also bounds the
 * TLS handshake, since it starts when the connection is accepted. (A subscribed WebSocket
 * connection later puts its read timeout in front of {@code tls}; it then times encrypted reads,
 * which arrive exactly when the heartbeats do.)
 */
@ChannelHandler.Sharable
final class ConnectionInitializer extends ChannelInitializer<Channel> {
    static final String TLS = "tls";

    private final ChannelInitializer<? extends Channel> protocol;
    private final SslContext sslContext;
    private final ChannelGroup connections;
    private final BooleanSupplier stopping;

    /**
     * @param sslContext null for plain TCP
     * @param stopping true once the server began to stop
     */
    ConnectionInitializer(
            ChannelInitializer<? extends Channel> protocol,
            SslContext sslContext,
            ChannelGroup connections,
            BooleanSupplier stopping) {
        this.protocol = protocol;
        this.sslContext = sslContext;
        this.connections = connections;
        this.stopping = stopping;
    }

    @Override
    protected void initChannel(Channel channel) {
        connections.add(channel);
        if (stopping.getAsBoolean()) {
            // Accepted just before the listener closed, and added after stop() closed the group's
            // connections: close it here, or it would outlive its server.
            channel.close();
            return;
        }
        ChannelPipeline pipeline = channel.pipeline();
        if (sslContext != null) {
            pipeline.addLast(TLS, sslContext.newHandler(channel.alloc()));
        }
        // A nested initializer: it runs at once (the channel is registered) and removes itself.
        pipeline.addLast(protocol);
    }
}
