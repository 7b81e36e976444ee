package io.pushbase.comet.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushbase.comet.testing.CometTestCluster;
import io.pushbase.comet.testing.CometTestCluster.Comet;
import io.pushbase.comet.testing.TcpClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzes the comet's WebSocket port over real sockets (issue 13): each try opens a connection,
 * completes a valid upgrade and subscribe, then sends random frames — arbitrary bytes, and frames
 * with random opcodes, flags, masks and lengths (including the 16- and 64-bit length forms and
 * lengths far beyond what follows) — and reads whatever comes back for a moment. Whatever a
 * connection sends may only affect that connection: after every try an innocent TCP subscriber of
 * the same comet still receives a push, and at the end the comet is healthy. Bounded: 150 tries of
 * at most ~0.3 s each.
 */
class WebSocketFuzzIT {
    private static CometTestCluster cluster;
    private static Comet comet;
    private static TcpClient innocent;
    private static int pushes;

    @BeforeContainer
    static void start() throws Exception {
        cluster = new CometTestCluster(1);
        comet = cluster.startComet("comet-fuzz");
        CometApplicationIT.awaitAdmitted(comet, "fuzz-warm-up");
        innocent = TcpClient.subscribe(comet.tcp(), "fuzz-innocent", null, "1");
        assertThat(innocent.readLine()).isEqualTo("+h\r\n");
    }

    @AfterContainer
    static void stop() throws Exception {
        try {
            if (comet != null) {
                assertThat(comet.admin("/healthcheck")).contains("\"healthy\":true");
            }
        } finally {
            if (innocent != null) {
                innocent.close();
            }
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    @Property(tries = 150)
    void randomFramesAfterSubscribingAffectOnlyThatConnection(@ForAll("frames") List<byte[]> frames)
            throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", comet.ws()), 5_000);
            socket.setSoTimeout(2_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(
                    ("GET /sub?key=fuzz-victim&heartbeat=30 HTTP/1.1\r\n"
                                    + "Host: 127.0.0.1\r\n"
                                    + "Upgrade: websocket\r\n"
                                    + "Connection: Upgrade\r\n"
                                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                    + "Sec-WebSocket-Version: 13\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(readHead(in)).startsWith("HTTP/1.1 101");
            try {
                for (byte[] frame : frames) {
                    out.write(frame);
                }
                out.flush();
            } catch (IOException closedByTheComet) {
                // The comet may close the connection after the first bad frame.
            }
            drain(in, 100);
        }
        // Heartbeat the innocent client (its period is 30 s; the fuzzing lasts longer).
        innocent.socket().getOutputStream().write('h');
        innocent.socket().getOutputStream().flush();
        assertThat(innocent.readLine()).isEqualTo("+h\r\n");
        pushes++;
        String json = "{\"n\":" + pushes + "}";
        assertThat(comet.push("fuzz-innocent", json, 0).getDelivered()).isEqualTo(1);
        assertThat(innocent.readPush()).contains("\"msg\":{\"n\":" + pushes + "}");
    }

    @Provide
    Arbitrary<List<byte[]>> frames() {
        Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
        Arbitrary<byte[]> frame =
                Combinators.combine(
                                Arbitraries.integers().between(0, 255), // FIN, RSV, opcode
                                Arbitraries.of(true, true, true, false), // masked (clients must)
                                Arbitraries.of(0, 1, 2, 5, 125, 126, 127), // 7-bit length field
                                Arbitraries.longs().between(0, Long.MAX_VALUE), // extended length
                                Arbitraries.bytes().array(byte[].class).ofMaxSize(64))
                        .as(WebSocketFuzzIT::frame);
        return Arbitraries.oneOf(raw, frame, frame, frame).list().ofMinSize(1).ofMaxSize(4);
    }

    /** One frame header as RFC 6455 lays it out, with whatever payload follows. */
    private static byte[] frame(
            int first, boolean masked, int length7, long extended, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(first);
        out.write((masked ? 0x80 : 0) | length7);
        if (length7 == 126) {
            out.write((int) (extended >>> 8) & 0xff);
            out.write((int) extended & 0xff);
        } else if (length7 == 127) {
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (extended >>> shift) & 0xff);
            }
        }
        if (masked) {
            out.writeBytes(new byte[] {0x11, 0x22, 0x33, 0x44});
        }
        out.writeBytes(payload);
        return out.toByteArray();
    }

    /** The response head, up to the empty line. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads what arrives until the comet closes the connection or {@code millis} pass quietly. */
    private static void drain(InputStream in, int millis) throws IOException {
        byte[] buffer = new byte[4096];
        try {
            long until = System.currentTimeMillis() + millis;
            while (System.currentTimeMillis() < until) {
                if (in.read(buffer) < 0) {
                    return;
                }
            }
        } catch (SocketTimeoutException | java.net.SocketException quietOrReset) {
            // nothing more, or reset by the comet
        }
    }
}
