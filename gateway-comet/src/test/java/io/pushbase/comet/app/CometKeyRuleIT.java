package io.pushbase.comet.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushbase.comet.testing.CometTestCluster;
import io.pushbase.comet.testing.CometTestCluster.Comet;
import io.pushbase.comet.testing.WebSocketWire;
import io.pushbase.comet.testing.WebSocketWire.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shared key rule ({@code schema/client/Keys}: at most 256 bytes of well-formed UTF-8) where a
 * key enters the comet, over real sockets against the comet as it ships: a TCP {@code sub} in each
 * argument count (3, 4 with a token, 5 with a version) and a WebSocket handshake, each with a key
 * over 256 bytes or not UTF-8, is answered {@code -p} and closed, and counted in {@code
 * comet.<tcp|ws>.rejected.key}; a 256-byte key is still admitted.
 */
class CometKeyRuleIT {
    private static final byte[] TOO_LONG = "x".repeat(257).getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NOT_UTF8 = {(byte) 0xff, (byte) 0xfe};
    private static final byte[] TRUNCATED = {'k', (byte) 0xc3};
    private static final String LONGEST = "鍵".repeat(85) + "x";

    private static CometTestCluster cluster;
    private static Comet comet;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new CometTestCluster(1);
        comet = cluster.startComet("comet-keys");
        CometApplicationIT.awaitAdmitted(comet, "warm-up");
    }

    @AfterAll
    static void stopCluster() throws Exception {
        cluster.close();
    }

    @Test
    void tcpSubscribesWithABadKeyAreAnsweredMinusPAndClosedInEveryArgumentCount() throws Exception {
        long before = comet.count("comet.tcp.rejected.key");
        List<List<String>> argumentForms =
                List.of(List.of("30"), List.of("30", "a-token"), List.of("30", "", "1"));
        int refused = 0;
        for (byte[] key : List.of(TOO_LONG, NOT_UTF8, TRUNCATED)) {
            for (List<String> rest : argumentForms) {
                byte[] answer = exchangeTcp(sub(key, rest));
                assertThat(new String(answer, StandardCharsets.ISO_8859_1))
                        .as("key of %d bytes, %d arguments", key.length, 2 + rest.size())
                        .isEqualTo("-p\r\n");
                refused++;
            }
        }
        assertThat(comet.count("comet.tcp.rejected.key") - before).isEqualTo(refused);

        // The limit is inclusive: 256 bytes of UTF-8 subscribe as before.
        try (Socket socket = connect(comet.tcp())) {
            socket.getOutputStream()
                    .write(sub(LONGEST.getBytes(StandardCharsets.UTF_8), List.of("30", "", "1")));
            assertThat(new String(socket.getInputStream().readNBytes(4), StandardCharsets.UTF_8))
                    .isEqualTo("+h\r\n");
        }
    }

    @Test
    void webSocketSubscribesWithABadKeyAreAnsweredMinusPAndClosed() throws Exception {
        long before = comet.count("comet.ws.rejected.key");
        List<String> uris =
                List.of(
                        "/sub?key=%ff%fe&heartbeat=30",
                        "/sub?key=k%c3&heartbeat=30&ver=1",
                        "/sub?key=" + "x".repeat(257) + "&heartbeat=30",
                        "/sub?key=" + "%E9%8D%B5".repeat(86) + "&heartbeat=30&token=&ver=1");
        for (String uri : uris) {
            Response response = WebSocketWire.parseResponse(exchangeWebSocket(uri));
            assertThat(response.status()).as(uri).isEqualTo(101);
            // One text frame -p, then the plain TCP close exchangeWebSocket waited for.
            assertThat(response.texts()).as(uri).containsExactly("-p\r\n");
        }
        assertThat(comet.count("comet.ws.rejected.key") - before).isEqualTo(uris.size());

        try (Socket socket = connect(comet.ws())) {
            String longest = "%E9%8D%B5".repeat(85) + "x";
            writeUpgrade(socket, "/sub?key=" + longest + "&heartbeat=30&ver=1");
            byte[] head = readHead(socket.getInputStream());
            assertThat(new String(head, StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 101");
            byte[] frame = socket.getInputStream().readNBytes(6);
            assertThat(WebSocketWire.parseFrames(frame).get(0).text()).isEqualTo("+h\r\n");
        }
    }

    /** A RESP {@code sub} whose key is {@code key}'s bytes, then the ASCII arguments. */
    private static byte[] sub(byte[] key, List<String> rest) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ascii("*" + (2 + rest.size()) + "\r\n$3\r\nsub\r\n"));
        out.writeBytes(ascii("$" + key.length + "\r\n"));
        out.writeBytes(key);
        out.writeBytes(ascii("\r\n"));
        for (String arg : rest) {
            out.writeBytes(ascii("$" + arg.length() + "\r\n" + arg + "\r\n"));
        }
        return out.toByteArray();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Sends {@code request} and reads until the comet closes (a read timeout fails the test). */
    private static byte[] exchangeTcp(byte[] request) throws IOException {
        try (Socket socket = connect(comet.tcp())) {
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            return socket.getInputStream().readAllBytes();
        }
    }

    /** Upgrades on {@code uri} and reads until the comet closes. */
    private static byte[] exchangeWebSocket(String uri) throws IOException {
        try (Socket socket = connect(comet.ws())) {
            writeUpgrade(socket, uri);
            return socket.getInputStream().readAllBytes();
        }
    }

    private static void writeUpgrade(Socket socket, String uri) throws IOException {
        var upgrade = WebSocketWire.upgrade(uri, null);
        try {
            byte[] bytes = new byte[upgrade.readableBytes()];
            upgrade.readBytes(bytes);
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
        } finally {
            upgrade.release();
        }
    }

    /** The HTTP response head, up to and including its empty line. */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = ascii("\r\n\r\n");
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed inside the response head: " + head);
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toByteArray();
    }

    /** A counter from the comet's {@code /metrics}; 0 while it is not registered. */
}
