package io.pushbase.comet.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushbase.cluster.ring.HashRing;
import io.pushbase.comet.testing.CometTestCluster;
import io.pushbase.comet.testing.CometTestCluster.Comet;
import io.pushbase.comet.testing.TcpClient;
import io.pushbase.comet.testing.Wire;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * (Pushbase) Acknowledgements end to end over real sockets (docs/PROTOCOL.md "Acknowledgements"):
 * real comets (the shipped application) and a message node keeping device cursors. A key's client
 * acks on comet {@value #A}; the key then moves to {@value #B} (the ring changes), the client
 * reconnects there and acks an older mid: the cursor keeps the larger one, whichever comet sent
 * which. An ack of a mid never issued comes back to the client as {@code -k} over the socket; an
 * ack over HTTP ({@code POST /ack}, for Server-Sent Events clients) reaches the cursor too.
 */
class CometAckIT {
    private static final String A = "comet-a";
    private static final String B = "comet-b";
    private static final HashRing RING_AFTER = HashRing.of(Map.of(A, 1, B, 1));

    private static CometTestCluster cluster;
    private static Comet cometA;

    @BeforeAll
    static void startOneComet() throws Exception {
        cluster = new CometTestCluster(1);
        cometA = cluster.startComet(A);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** A key the ring over both comets places on {@value #B}. */
    private static String keyMovingToB() {
        return IntStream.range(0, 100)
                .mapToObj(i -> "ack-" + i)
                .filter(k -> RING_AFTER.nodeFor(k).orElseThrow().equals(B))
                .findFirst()
                .orElseThrow();
    }

    private static TcpClient subscribed(Comet comet, String key) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            TcpClient client = TcpClient.subscribe(comet.tcp(), key, null, "1");
            String reply = client.readLine();
            if (reply.equals("+h\r\n")) {
                return client;
            }
            client.close();
            // -n until the comet sees itself on the ring
            assertThat(System.currentTimeMillis()).as("admitted by then").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static long pushAndRead(Comet comet, String key, TcpClient client) throws IOException {
        long mid = comet.push(key, "{\"n\":1}", 600).getMid();
        assertThat(client.readPush()).contains("\"mid\":" + mid);
        return mid;
    }

    private static void ack(TcpClient client, String key, String device, long mid)
            throws IOException {
        client.write(Wire.request("ack", key, device, Long.toString(mid)));
    }

    /** Waits (bounded) until {@code comet}'s {@code comet.acks.<name>} reaches {@code count}. */
    private static void awaitCount(Comet comet, String name, long count) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (comet.count("comet.acks." + name) < count && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertThat(comet.count("comet.acks." + name)).isEqualTo(count);
    }

    @Test
    void acksFromTwoCometsForOneKeyKeepTheLargerCursor() throws Exception {
        String key = keyMovingToB();
        long m1;
        long m2;
        long m3;
        try (TcpClient client = subscribed(cometA, key)) {
            m1 = pushAndRead(cometA, key, client);
            m2 = pushAndRead(cometA, key, client);
            m3 = pushAndRead(cometA, key, client);
            ack(client, key, "phone", m3);
            cluster.awaitCursors(key, Map.of("phone", m3));

            // The key moves: comet-a closes the connection, the client goes to comet-b.
            Comet cometB = cluster.startComet(B);
            client.socket().setSoTimeout(30_000);
            assertThat(client.readLine()).as("EOF once the key moved").isEmpty();

            try (TcpClient moved = subscribed(cometB, key)) {
                long m4 = pushAndRead(cometB, key, moved);
                // An older ack through the other comet: stored, but the cursor stays at m3.
                ack(moved, key, "phone", m2);
                ack(moved, key, "tablet", m1);
                awaitCount(cometB, "stored", 2);
                assertThat(cluster.cursorMids(key)).isEqualTo(Map.of("phone", m3, "tablet", m1));

                ack(moved, key, "phone", m4);
                cluster.awaitCursors(key, Map.of("phone", m4, "tablet", m1));

                // A mid above the key's head was never issued: refused, told over the socket.
                ack(moved, key, "tablet", m4 + 1_000_000);
                assertThat(moved.readLine())
                        .isEqualTo(
                                "-k mid "
                                        + (m4 + 1_000_000)
                                        + " was never issued: above the key's head "
                                        + m4
                                        + "\r\n");
                assertThat(cometB.count("comet.acks.notIssued")).isEqualTo(1);
                // The connection is still subscribed: heartbeats and pushes go on.
                moved.write("h");
                assertThat(moved.readLine()).isEqualTo("+h\r\n");
                pushAndRead(cometB, key, moved);
                assertThat(cluster.cursorMids(key)).isEqualTo(Map.of("phone", m4, "tablet", m1));

                // Over HTTP, as a Server-Sent Events client acks: 202, then the cursor.
                HttpResponse<String> http =
                        HttpClient.newHttpClient()
                                .send(
                                        HttpRequest.newBuilder(
                                                        URI.create(
                                                                "http://127.0.0.1:"
                                                                        + cometB.ws()
                                                                        + "/ack?key="
                                                                        + key
                                                                        + "&device=sse-1&mid="
                                                                        + m4))
                                                .POST(HttpRequest.BodyPublishers.noBody())
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString());
                assertThat(http.statusCode()).isEqualTo(202);
                cluster.awaitCursors(key, Map.of("phone", m4, "tablet", m1, "sse-1", m4));
            }
        }
    }
}
