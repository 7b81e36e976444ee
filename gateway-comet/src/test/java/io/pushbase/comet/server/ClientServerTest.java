package io.pushbase.comet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.codahale.metrics.MetricRegistry;
import io.dropwizard.lifecycle.Managed;
import io.netty.channel.epoll.Epoll;
import io.pushbase.comet.channel.KeyChannels;
import io.pushbase.comet.connection.ConnectionMetrics;
import io.pushbase.comet.connection.ConnectionSettings;
import io.pushbase.comet.handler.TcpInitializer;
import io.pushbase.comet.handler.WebSocketInitializer;
import io.pushbase.comet.subscription.Subscriber;
import io.pushbase.comet.testing.Eventually;
import io.pushbase.comet.testing.KeyChannelsGate;
import io.pushbase.comet.testing.Replayers;
import io.pushbase.comet.testing.TextWebSocketClient;
import io.pushbase.comet.testing.Wire;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real listeners on loopback, port 0, spoken to by real clients: a plain {@link Socket} for TCP and
 * the JDK's WebSocket client, subscribing into a real {@link KeyChannels} and receiving a message
 * delivered through the {@link Subscriber} it holds.
 */
class ClientServerTest {
    static final Duration WAIT = Duration.ofSeconds(10);
    static final byte[] TEST_1 = "{\"test\":1}".getBytes(StandardCharsets.UTF_8);
    static final long MID = 17952546363411610L;

    /** docs/PROTOCOL.md section 5: old format (no version), {"test":1}, 54 bytes. */
    static final String OLD_FORMAT_PUSH =
            "{\"msg\":\"{\\\"test\\\":1}\",\"mid\":17952546363411610,\"gid\":0}";

    private final MetricRegistry metrics = new MetricRegistry();
    private final KeyChannels channels = new KeyChannels(64, metrics);
    private final ConnectionSettings settings = ConnectionSettings.defaults();
    private final Deque<Managed> running = new ArrayDeque<>();
    private final List<AutoCloseable> clients = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        for (AutoCloseable client : clients) {
            client.close();
        }
        while (!running.isEmpty()) {
            running.pop().stop();
        }
    }

    private <T extends Managed> T start(T managed) throws Exception {
        managed.start();
        running.push(managed);
        return managed;
    }

    private EventLoops loops(Transport transport) throws Exception {
        return start(new EventLoops(transport, 1));
    }

    private ClientServer tcpServer(EventLoops loops) throws Exception {
        TcpInitializer initializer =
                new TcpInitializer(
                        settings,
                        new KeyChannelsGate(channels),
                        Replayers.withoutHistory(),
                        new ConnectionMetrics(metrics, ClientProtocol.TCP.metricPrefix()));
        return start(
                ClientServer.builder(ClientProtocol.TCP, loops, initializer, metrics)
                        .bind("127.0.0.1", 0)
                        .build());
    }

    private Socket connect(int port) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout((int) WAIT.toMillis());
        clients.add(socket);
        return socket;
    }

    static String read(InputStream in, int length) throws IOException {
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    /** The one subscriber of {@code key}, once its subscription is live. */
    private Subscriber onlySubscriber(String key) {
        Collection<Subscriber> subscribers = channels.subscribers(key);
        assertThat(subscribers).hasSize(1);
        return subscribers.iterator().next();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void aTcpClientSubscribesAndGetsAPushFramedAsLengthThenJson(Transport transport)
            throws Exception {
        assumeTrue(transport != Transport.EPOLL || Epoll.isAvailable(), "no native epoll here");
        ClientServer server = tcpServer(loops(transport));
        assertThat(server.port()).isPositive();
        Socket socket = connect(server.port());
        InputStream in = socket.getInputStream();

        socket.getOutputStream()
                .write(
                        "*3\r\n$3\r\nsub\r\n$1\r\nk\r\n$2\r\n30\r\n"
                                .getBytes(StandardCharsets.UTF_8));
        assertThat(read(in, 4)).isEqualTo("+h\r\n");

        // Admission happens before +h is written: the subscriber is in the channel now.
        assertThat(onlySubscriber("k").deliver(MID, TEST_1)).isEqualTo(Subscriber.Delivery.QUEUED);
        String framed = "$54\r\n" + OLD_FORMAT_PUSH + "\r\n";
        assertThat(read(in, framed.length())).isEqualTo(framed);
        assertThat(server.connectionCount()).isEqualTo(1);
        assertThat(metrics.getGauges().get("comet.tcp.connections").getValue()).isEqualTo(1);
        assertThat(metrics.counter("comet.tcp.subscribed").getCount()).isEqualTo(1);
    }

    @Test
    void aWebSocketClientWithoutOriginGetsPlusHThenTheBareJson() throws Exception {
        EventLoops loops = loops(Transport.preferred());
        WebSocketInitializer initializer =
                new WebSocketInitializer(
                        settings,
                        new KeyChannelsGate(channels),
                        Replayers.withoutHistory(),
                        new ConnectionMetrics(metrics, ClientProtocol.WEBSOCKET.metricPrefix()));
        ClientServer server =
                start(
                        ClientServer.builder(ClientProtocol.WEBSOCKET, loops, initializer, metrics)
                                .bind("127.0.0.1", 0)
                                .build());
        TextWebSocketClient client =
                TextWebSocketClient.connect(
                        URI.create(
                                "ws://127.0.0.1:"
                                        + server.port()
                                        + "/sub?key=k&heartbeat=30&ver=1.0"),
                        null,
                        WAIT);
        clients.add(client);

        assertThat(client.nextText(WAIT)).isEqualTo("+h\r\n");
        onlySubscriber("k").deliver(MID, TEST_1);
        // A version was given: the new format, payload passed through as raw JSON, no framing.
        assertThat(client.nextText(WAIT))
                .isEqualTo("{\"msg\":{\"test\":1},\"mid\":17952546363411610,\"gid\":0}");
        assertThat(metrics.getGauges().get("comet.ws.connections").getValue()).isEqualTo(1);
    }

    @Test
    void stopClosesEveryLiveConnectionAndFreesThePort() throws Exception {
        ClientServer server = tcpServer(loops(Transport.preferred()));
        int port = server.port();
        Socket subscribed = connect(port);
        subscribed.getOutputStream().write(Wire.request("sub", "k", "30").getBytes());
        assertThat(read(subscribed.getInputStream(), 4)).isEqualTo("+h\r\n");
        Socket silent = connect(port);
        Eventually.await("two open connections", WAIT, () -> server.connectionCount() == 2);

        server.stop();

        assertThat(subscribed.getInputStream().read()).as("EOF").isEqualTo(-1);
        assertThat(silent.getInputStream().read()).as("EOF").isEqualTo(-1);
        Eventually.await("the subscriber left", WAIT, () -> channels.connectionCount() == 0);
        assertThat(metrics.getGauges()).doesNotContainKey("comet.tcp.connections");
        try (ServerSocket again = new ServerSocket()) {
            again.setReuseAddress(true);
            again.bind(new InetSocketAddress("127.0.0.1", port));
        }
        server.stop(); // idempotent
    }

    @Test
    void aTakenPortFailsTheStartAndLeavesNoGaugeBehind() throws Exception {
        EventLoops loops = loops(Transport.preferred());
        try (ServerSocket taken = new ServerSocket(0, 50, null)) {
            ClientServer server =
                    ClientServer.builder(
                                    ClientProtocol.TCP,
                                    loops,
                                    new TcpInitializer(
                                            settings,
                                            new KeyChannelsGate(channels),
                                            Replayers.withoutHistory(),
                                            new ConnectionMetrics(metrics, "comet.tcp")),
                                    metrics)
                            .bind("0.0.0.0", taken.getLocalPort())
                            .build();

            // NIO throws BindException, epoll its own IOException: the same message.
            assertThatThrownBy(server::start)
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("Address already in use");
            assertThat(metrics.getGauges()).doesNotContainKey("comet.tcp.connections");
            server.stop();
        }
    }

    @Test
    void aServerNeedsRunningEventLoopsAndAPort() throws Exception {
        EventLoops idle = new EventLoops(Transport.NIO, 1);
        TcpInitializer initializer =
                new TcpInitializer(
                        settings,
                        new KeyChannelsGate(channels),
                        Replayers.withoutHistory(),
                        new ConnectionMetrics(metrics, "comet.tcp"));
        ClientServer.Builder builder =
                ClientServer.builder(ClientProtocol.TCP, idle, initializer, metrics);

        assertThatThrownBy(builder::build).hasMessageContaining("port");
        ClientServer server = builder.bind("127.0.0.1", 0).build();
        assertThatThrownBy(server::start).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(server::port).isInstanceOf(IllegalStateException.class);
        idle.stop();
        server.stop();
    }
}
