package io.pushbase.comet.server;

import static io.pushbase.comet.server.ClientServerTest.MID;
import static io.pushbase.comet.server.ClientServerTest.OLD_FORMAT_PUSH;
import static io.pushbase.comet.server.ClientServerTest.TEST_1;
import static io.pushbase.comet.server.ClientServerTest.WAIT;
import static io.pushbase.comet.server.ClientServerTest.read;
import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.pushbase.comet.channel.KeyChannels;
import io.pushbase.comet.connection.ConnectionMetrics;
import io.pushbase.comet.connection.ConnectionSettings;
import io.pushbase.comet.handler.TcpInitializer;
import io.pushbase.comet.handler.WebSocketInitializer;
import io.pushbase.comet.testing.Eventually;
import io.pushbase.comet.testing.KeyChannelsGate;
import io.pushbase.comet.testing.Replayers;
import io.pushbase.comet.testing.TestCertificate;
import io.pushbase.comet.testing.TextWebSocketClient;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Both listeners with TLS on, configured from PEM files as an operator would, spoken to by JDK TLS
 * clients that trust only the test certificate and check the host name.
 */
class ClientServerTlsTest {
    @TempDir Path dir;

    private final MetricRegistry metrics = new MetricRegistry();
    private final KeyChannels channels = new KeyChannels(64, metrics);
    private final ConnectionSettings settings = ConnectionSettings.defaults();
    private TestCertificate certificate;
    private EventLoops loops;
    private ClientServer tcp;
    private ClientServer ws;

    @BeforeEach
    void startTlsListeners() throws Exception {
        certificate = TestCertificate.create(dir);
        TlsConfiguration tls = new TlsConfiguration();
        tls.setEnabled(true);
        tls.setCertificateChain(certificate.chain().toString());
        tls.setPrivateKey(certificate.key().toString());
        loops = new EventLoops(Transport.preferred(), 1);
        loops.start();
        tcp =
                ClientServer.builder(
                                ClientProtocol.TCP,
                                loops,
                                new TcpInitializer(
                                        settings,
                                        new KeyChannelsGate(channels),
                                        Replayers.withoutHistory(),
                                        new ConnectionMetrics(metrics, "comet.tcp")),
                                metrics)
                        .bind("127.0.0.1", 0)
                        .tls(tls.buildSslContext().orElseThrow())
                        .build();
        ws =
                ClientServer.builder(
                                ClientProtocol.WEBSOCKET,
                                loops,
                                new WebSocketInitializer(
                                        settings,
                                        new KeyChannelsGate(channels),
                                        Replayers.withoutHistory(),
                                        new ConnectionMetrics(metrics, "comet.ws")),
                                metrics)
                        .bind("127.0.0.1", 0)
                        .tls(tls.buildSslContext().orElseThrow())
                        .build();
        tcp.start();
        ws.start();
    }

    @AfterEach
    void stop() throws Exception {
        ws.stop();
        tcp.stop();
        loops.stop();
    }

    @Test
    void aTcpClientSubscribesOverTlsAndGetsAPush() throws Exception {
        assertThat(tcp.isTls()).isTrue();
        try (SSLSocket socket =
                (SSLSocket)
                        certificate
                                .clientContext()
                                .getSocketFactory()
                                .createSocket("127.0.0.1", tcp.port())) {
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.setSoTimeout((int) WAIT.toMillis());
            InputStream in = socket.getInputStream();

            socket.getOutputStream()
                    .write(
                            "*3\r\n$3\r\nsub\r\n$1\r\nk\r\n$2\r\n30\r\n"
                                    .getBytes(StandardCharsets.UTF_8));
            assertThat(read(in, 4)).isEqualTo("+h\r\n");

            channels.subscribers("k").iterator().next().deliver(MID, TEST_1);
            String framed = "$54\r\n" + OLD_FORMAT_PUSH + "\r\n";
            assertThat(read(in, framed.length())).isEqualTo(framed);
        }
    }

    @Test
    void aWebSocketClientSubscribesOverWss() throws Exception {
        try (TextWebSocketClient client =
                TextWebSocketClient.connect(
                        URI.create("wss://127.0.0.1:" + ws.port() + "/sub?key=k&heartbeat=30"),
                        certificate.clientContext(),
                        WAIT)) {
            assertThat(client.nextText(WAIT)).isEqualTo("+h\r\n");
            channels.subscribers("k").iterator().next().deliver(MID, TEST_1);
            assertThat(client.nextText(WAIT)).isEqualTo(OLD_FORMAT_PUSH);
        }
    }

    @Test
    void anEventStreamIsServedOverHttpsOnTheWebSocketListener() throws Exception {
        HttpClient client =
                HttpClient.newBuilder()
                        .sslContext(certificate.clientContext())
                        .version(HttpClient.Version.HTTP_1_1)
                        .build();
        HttpResponse<Stream<String>> response =
                client.sendAsync(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        "https://127.0.0.1:"
                                                                + ws.port()
                                                                + "/sse?key=k"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofLines())
                        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        try (Stream<String> body = response.body()) {
            assertThat(response.statusCode()).isEqualTo(200);
            Iterator<String> lines = body.iterator();
            Callable<String> next = lines::next;
            assertThat(List.of(line(next), line(next))).containsExactly(": h", "");
            channels.subscribers("k").iterator().next().deliver(MID, TEST_1);
            assertThat(List.of(line(next), line(next), line(next)))
                    .containsExactly("id: " + MID, "data: " + OLD_FORMAT_PUSH, "");
        }
    }

    private static String line(Callable<String> next) throws Exception {
        return CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return next.call();
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        })
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void aPlainTextClientOnATlsListenerIsClosedWithoutAReply() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", tcp.port())) {
            socket.setSoTimeout((int) WAIT.toMillis());
            socket.getOutputStream()
                    .write(
                            "*3\r\n$3\r\nsub\r\n$1\r\nk\r\n$2\r\n30\r\n"
                                    .getBytes(StandardCharsets.UTF_8));

            assertThat(socket.getInputStream().readAllBytes()).isEmpty();
        }
        assertThat(channels.connectionCount()).isZero();
        Eventually.await(
                "counted as bad input",
                WAIT,
                () -> metrics.counter("comet.tcp.closed.badInput").getCount() == 1);
    }
}
