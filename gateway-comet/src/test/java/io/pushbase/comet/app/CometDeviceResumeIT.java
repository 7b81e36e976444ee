package io.pushbase.comet.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.pushbase.comet.app.CometSseIT.Event;
import io.pushbase.comet.app.CometSseIT.Stream200;
import io.pushbase.comet.testing.CometTestCluster;
import io.pushbase.comet.testing.CometTestCluster.Comet;
import io.pushbase.comet.testing.TcpClient;
import io.pushbase.comet.testing.TextWebSocketClient;
import io.pushbase.comet.testing.WebSocketWire;
import io.pushbase.comet.testing.WebSocketWire.Response;
import io.pushbase.comet.testing.Wire;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * (Pushbase, issue 15) A resume from a device's cursor ({@code since=@<device>}) over real sockets:
 * a real comet (the shipped {@code comet.yml}) and real message nodes keeping the messages and the
 * device cursors in memory. On TCP, WebSocket and Server-Sent Events: a client acks on one
 * connection, goes away while a message is pushed, reconnects naming only its device and receives
 * {@code +r complete}, exactly the messages after its cursor, then live ones; a device without a
 * cursor gets everything stored. A bad device id, a room resumed from a device and a device in
 * {@code Last-Event-ID} are refused with the protocol's error naming the problem; a {@code Cursors}
 * call that fails closes the connection, counted.
 */
class CometDeviceResumeIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final HttpClient HTTP =
            HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(WAIT)
                    .build();

    private static CometTestCluster cluster;
    private static Comet comet;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new CometTestCluster(2);
        comet = cluster.startComet("comet-device-resume");
        CometApplicationIT.awaitAdmitted(comet, "warm-up");
    }

    @AfterAll
    static void stopCluster() throws Exception {
        cluster.close();
    }

    private static long push(String key, int n) {
        return comet.push(key, "{\"n\":" + n + "}", 600).getMid();
    }

    /** The JSON of message {@code n} pushed under {@code mid}, in the new format. */
    private static String message(long mid, int n) {
        return "{\"msg\":{\"n\":" + n + "},\"mid\":" + mid + ",\"gid\":0}";
    }

    /**
     * Waits (bounded) until {@code comet}'s counter or meter {@code name} reaches {@code count}.
     */
    private static void awaitCount(String name, long count) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT.toMillis();
        while (comet.count(name) < count && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertThat(comet.count(name)).as(name).isEqualTo(count);
    }

    private static TcpClient tcp(String key, String since) throws Exception {
        TcpClient client =
                TcpClient.send(comet.tcp(), Wire.request("sub", key, "30", "", "1", since));
        client.socket().setSoTimeout((int) WAIT.toMillis());
        return client;
    }

    private static TextWebSocketClient webSocket(String key, String since) throws Exception {
        return TextWebSocketClient.connect(
                URI.create(
                        "ws://127.0.0.1:"
                                + comet.ws()
                                + "/sub?key="
                                + key
                                + "&heartbeat=30&ver=1"
                                + (since == null ? "" : "&since=" + since)),
                null,
                WAIT);
    }

    /**
     * Upgrades a raw socket to WebSocket on {@code uri} and reads until the comet closes it (a read
     * timeout fails the test): the text frames it sent.
     */
    private static List<String> webSocketUntilClosed(String uri) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", comet.ws())) {
            socket.setSoTimeout((int) WAIT.toMillis());
            ByteBuf upgrade = WebSocketWire.upgrade(uri, null);
            try {
                byte[] bytes = new byte[upgrade.readableBytes()];
                upgrade.readBytes(bytes);
                socket.getOutputStream().write(bytes);
            } finally {
                upgrade.release();
            }
            Response response = WebSocketWire.parseResponse(socket.getInputStream().readAllBytes());
            assertThat(response.status()).isEqualTo(101);
            return response.texts();
        }
    }

    private static HttpResponse<Stream<String>> sse(String query, String lastEventId)
            throws Exception {
        return CometSseIT.get(comet, query, lastEventId);
    }

    private static Stream200 openSse(String key, String since) throws Exception {
        HttpResponse<Stream<String>> response =
                sse("key=" + key + "&ver=1" + (since == null ? "" : "&since=" + since), null);
        assertThat(response.statusCode()).isEqualTo(200);
        return new Stream200(response);
    }

    @Test
    void tcpResumesFromTheDevicesCursorThenLive() throws Exception {
        String key = "device-tcp";
        long fromCursor = comet.count("comet.replay.fromCursor");
        long withoutCursor = comet.count("comet.replay.withoutCursor");
        List<Long> mids = new ArrayList<>();
        try (TcpClient first = tcp(key, "")) {
            assertThat(first.readLine()).isEqualTo("+h\r\n");
            for (int n = 0; n < 5; n++) {
                mids.add(push(key, n));
                assertThat(first.readPush()).isEqualTo(message(mids.get(n), n));
            }
            first.write(Wire.request("ack", key, "phone-1", Long.toString(mids.get(2))));
            cluster.awaitCursors(key, Map.of("phone-1", mids.get(2)));
        }
        mids.add(push(key, 5)); // while away

        try (TcpClient again = tcp(key, "@phone-1")) {
            assertThat(again.readLine()).isEqualTo("+h\r\n");
            assertThat(again.readLine()).isEqualTo("+r complete\r\n");
            for (int n = 3; n < 6; n++) {
                assertThat(again.readPush()).isEqualTo(message(mids.get(n), n));
            }
            mids.add(push(key, 6));
            assertThat(again.readPush()).isEqualTo(message(mids.get(6), 6));
        }
        // A device that never acked resumes after 0: everything stored, then live. Answered
        // truncated, as since=0 always is: the floor is never below now - retention.
        try (TcpClient fresh = tcp(key, "@tablet")) {
            assertThat(fresh.readLine()).isEqualTo("+h\r\n");
            assertThat(fresh.readLine()).isEqualTo("+r truncated\r\n");
            for (int n = 0; n < 7; n++) {
                assertThat(fresh.readPush()).isEqualTo(message(mids.get(n), n));
            }
            mids.add(push(key, 7));
            assertThat(fresh.readPush()).isEqualTo(message(mids.get(7), 7));
        }
        assertThat(comet.count("comet.replay.fromCursor")).isEqualTo(fromCursor + 1);
        assertThat(comet.count("comet.replay.withoutCursor")).isEqualTo(withoutCursor + 1);
    }

    @Test
    void webSocketResumesFromTheDevicesCursorThenLive() throws Exception {
        String key = "device-ws";
        List<Long> mids = new ArrayList<>();
        TextWebSocketClient first = webSocket(key, null);
        try {
            assertThat(first.nextText(WAIT)).isEqualTo("+h\r\n");
            for (int n = 0; n < 4; n++) {
                mids.add(push(key, n));
                assertThat(first.nextText(WAIT)).isEqualTo(message(mids.get(n), n));
            }
            first.sendText(Wire.request("ack", key, "browser:1", Long.toString(mids.get(1))), WAIT);
            cluster.awaitCursors(key, Map.of("browser:1", mids.get(1)));
        } finally {
            first.close();
        }
        mids.add(push(key, 4)); // while away

        TextWebSocketClient again = webSocket(key, "@browser:1");
        try {
            assertThat(again.nextText(WAIT)).isEqualTo("+h\r\n");
            assertThat(again.nextText(WAIT)).isEqualTo("+r complete\r\n");
            for (int n = 2; n < 5; n++) {
                assertThat(again.nextText(WAIT)).isEqualTo(message(mids.get(n), n));
            }
            mids.add(push(key, 5));
            assertThat(again.nextText(WAIT)).isEqualTo(message(mids.get(5), 5));
        } finally {
            again.close();
        }
    }

    @Test
    void sseResumesFromTheDevicesCursorThenLive() throws Exception {
        String key = "device-sse";
        List<Long> mids = new ArrayList<>();
        try (Stream200 first = openSse(key, null)) {
            for (int n = 0; n < 4; n++) {
                mids.add(push(key, n));
                assertThat(first.next().id()).isEqualTo(Long.toString(mids.get(n)));
            }
        }
        HttpResponse<String> ack =
                HTTP.send(
                        HttpRequest.newBuilder(
                                        URI.create(
                                                "http://127.0.0.1:"
                                                        + comet.ws()
                                                        + "/ack?key="
                                                        + key
                                                        + "&device=sse-1&mid="
                                                        + mids.get(2)))
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build(),
                        BodyHandlers.ofString());
        assertThat(ack.statusCode()).isEqualTo(202);
        cluster.awaitCursors(key, Map.of("sse-1", mids.get(2)));
        mids.add(push(key, 4)); // while away

        try (Stream200 again = openSse(key, "@sse-1")) {
            assertThat(again.next()).isEqualTo(new Event(null, "resume", "complete"));
            for (int n = 3; n < 5; n++) {
                assertThat(again.next())
                        .isEqualTo(
                                new Event(
                                        Long.toString(mids.get(n)), null, message(mids.get(n), n)));
            }
            mids.add(push(key, 5));
            assertThat(again.next())
                    .isEqualTo(
                            new Event(Long.toString(mids.get(5)), null, message(mids.get(5), 5)));
        }
    }

    @Test
    void aBadDeviceIsRefusedOnEveryTransportNamingTheProblem() throws Exception {
        long tcpBefore = comet.count("comet.tcp.rejected.device");
        try (TcpClient client = tcp("device-bad", "@phone/1")) {
            assertThat(client.readLine()).isEqualTo("-p\r\n");
            assertThat(client.readLine()).as("closed").isEmpty();
        }
        try (TcpClient client = tcp("device-bad", "@" + "d".repeat(65))) {
            assertThat(client.readLine()).isEqualTo("-p\r\n");
            assertThat(client.readLine()).as("closed").isEmpty();
        }
        assertThat(comet.count("comet.tcp.rejected.device")).isEqualTo(tcpBefore + 2);

        long wsBefore = comet.count("comet.ws.rejected.device");
        assertThat(webSocketUntilClosed("/sub?key=device-bad&heartbeat=30&ver=1&since=@pho%20ne"))
                .containsExactly("-p\r\n");
        assertThat(comet.count("comet.ws.rejected.device")).isEqualTo(wsBefore + 1);

        long sseBefore = comet.count("comet.sse.rejected.device");
        HttpResponse<Stream<String>> response = sse("key=device-bad&since=@phone/1", null);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body().toList())
                .containsExactly(
                        "-p bad parameters: since=@<device>: device id has character U+002F at 5;"
                                + " allowed: A-Z a-z 0-9 . _ : - (\"phone/1\")");
        assertThat(comet.count("comet.sse.rejected.device")).isEqualTo(sseBefore + 1);

        // An event id is a mid: the device form is refused in Last-Event-ID.
        HttpResponse<Stream<String>> header = sse("key=device-bad", "@phone-1");
        assertThat(header.statusCode()).isEqualTo(400);
        assertThat(header.body().toList().get(0)).contains("Last-Event-ID header");
    }

    @Test
    void aRoomCannotResumeFromADevice() throws Exception {
        try (TcpClient client =
                TcpClient.send(
                        comet.tcp(),
                        Wire.request("sub", "device-room", "30", "", "1", "", "news@@phone-1"))) {
            assertThat(client.readLine()).isEqualTo("-j news since\r\n");
            assertThat(client.readLine()).isEqualTo("-p\r\n");
        }
        HttpResponse<Stream<String>> response = sse("key=device-room&room=news@@phone-1", null);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body().toList().get(0))
                .startsWith("-j news since: room news: rooms keep no device cursors");
    }

    @Test
    void aFailedCursorReadClosesTheConnectionAndIsCounted() throws Exception {
        long failures = comet.count("comet.replay.cursorFailures");
        long before = comet.count("comet.replay.failures");
        cluster.failCursors(new IllegalStateException("the cursor store is down"));
        try {
            try (TcpClient client = tcp("device-fail", "@phone-1")) {
                assertThat(client.readLine()).isEqualTo("+h\r\n");
                assertThat(client.readLine()).as("closed, no answer line").isEmpty();
            }
            awaitCount("comet.replay.cursorFailures", failures + 1);

            assertThat(
                            webSocketUntilClosed(
                                    "/sub?key=device-fail&heartbeat=30&ver=1&since=@phone-1"))
                    .as("closed, no answer line")
                    .containsExactly("+h\r\n");
            awaitCount("comet.replay.cursorFailures", failures + 2);

            HttpResponse<Stream<String>> stream = sse("key=device-fail&since=@phone-1", null);
            assertThat(stream.statusCode()).isEqualTo(200);
            List<String> lines = new ArrayList<>();
            CompletableFuture.runAsync(
                            () -> {
                                try {
                                    stream.body().forEach(lines::add);
                                } catch (UncheckedIOException cut) {
                                    // the comet closed the connection mid-stream: the end
                                }
                            })
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(lines)
                    .as("only the first heartbeat comment, then the close")
                    .isNotEmpty()
                    .allMatch(line -> line.isEmpty() || line.startsWith(":"));
            awaitCount("comet.replay.cursorFailures", failures + 3);
            assertThat(comet.count("comet.replay.failures")).isEqualTo(before + 3);
        } finally {
            cluster.failCursors(null);
        }
    }
}
