package io.pushbase.comet.handler;

import static io.pushbase.comet.testing.Wire.EXAMPLE_SUB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.codahale.metrics.MetricRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.pushbase.comet.connection.ConnectionMetrics;
import io.pushbase.comet.connection.ConnectionSettings;
import io.pushbase.comet.subscription.Subscriber;
import io.pushbase.comet.testing.RecordingGate;
import io.pushbase.comet.testing.Replayers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The TCP subscribe flow on a real server on loopback, spoken by a plain {@link Socket} the way a
 * gopush-cluster client does: sub, {@code +h}, heartbeats, a push, and the comet closing the
 * connection on a bad byte. Runs on NIO and, where the native transport loads, on epoll (which also
 * proves the runtime native jar is on the class path, docs/DEPENDENCIES.md pitfall 5).
 */
class TcpLoopbackTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void aClientSubscribesHeartbeatsAndReceivesAPushOverNio() throws Exception {
        runFlow(NioIoHandler.newFactory(), NioServerSocketChannel.class);
    }

    @Test
    void aClientSubscribesHeartbeatsAndReceivesAPushOverEpoll() throws Exception {
        assumeTrue(
                "Linux".equals(System.getProperty("os.name"))
                        && "amd64".equals(System.getProperty("os.arch")),
                "the native epoll jar is linux-x86_64 only");
        assertThat(Epoll.unavailabilityCause()).isNull();
        runFlow(EpollIoHandler.newFactory(), EpollServerSocketChannel.class);
    }

    private static void runFlow(
            IoHandlerFactory ioHandler, Class<? extends ServerChannel> channelType)
            throws Exception {
        RecordingGate gate = RecordingGate.admitting();
        MetricRegistry registry = new MetricRegistry();
        TcpInitializer initializer =
                new TcpInitializer(
                        ConnectionSettings.defaults(),
                        gate,
                        Replayers.withoutHistory(),
                        new ConnectionMetrics(registry, "comet.tcp"));
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, ioHandler);
        try {
            Channel server =
                    new ServerBootstrap()
                            .group(group)
                            .channel(channelType)
                            .childHandler(initializer)
                            .bind("127.0.0.1", 0)
                            .sync()
                            .channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();

            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout((int) WAIT.toMillis());
                OutputStream out = socket.getOutputStream();
                InputStream in = socket.getInputStream();

                out.write(EXAMPLE_SUB.getBytes(StandardCharsets.US_ASCII));
                assertThat(read(in, 4)).isEqualTo("+h\r\n");

                out.write("hh".getBytes(StandardCharsets.US_ASCII));
                assertThat(read(in, 8)).isEqualTo("+h\r\n+h\r\n");

                Subscriber subscriber = gate.subscriber();
                assertThat(subscriber.remoteAddress()).isNotNull();
                subscriber.deliver(
                        17952546363411610L, "{\"test\":1}".getBytes(StandardCharsets.UTF_8));
                String push =
                        "$54\r\n{\"msg\":\"{\\\"test\\\":1}\",\"mid\":17952546363411610,\"gid\":0}\r\n";
                assertThat(read(in, push.length())).isEqualTo(push);

                out.write('x');
                assertThat(in.read()).as("closed without a reply").isEqualTo(-1);
                subscriber
                        .closeFuture()
                        .toCompletableFuture()
                        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                // The gate forgets it on the event loop, right after the close completes.
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (!gate.live().isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertThat(gate.live()).isEmpty();
            }
            assertThat(registry.counter("comet.tcp.closed.badInput").getCount()).isEqualTo(1);
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static String read(InputStream in, int length) throws IOException {
        byte[] data = in.readNBytes(length);
        return new String(data, StandardCharsets.UTF_8);
    }
}
