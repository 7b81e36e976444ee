package io.pushbase.web.app;

import static io.pushbase.web.testing.WebTestCluster.awaitRing;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pushbase.cluster.ring.HashRing;
import io.pushbase.comet.testing.CometTestCluster.Comet;
import io.pushbase.comet.testing.TcpClient;
import io.pushbase.comet.testing.TextWebSocketClient;
import io.pushbase.comet.testing.Wire;
import io.pushbase.web.testing.Rings;
import io.pushbase.web.testing.WebTestCluster;
import io.pushbase.web.testing.WebTestCluster.Web;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * (Pushbase, issue 14) Rooms end to end over real sockets: a web node in front of three real comets
 * (message nodes over the in-memory stores, keys and rooms): a room whose owner on the ring is
 * comet-3 has a TCP member on comet-1 (joined at subscribe, the seventh argument) and a WebSocket
 * member on comet-2 ({@code room=}); room pushes through {@code POST /1/admin/push/room} reach both
 * with strictly increasing room mids, in order; presence counts them per comet; the room's history
 * is pulled with the completeness answer and resumed by a {@code join} with a since; a member
 * leaves and switches rooms on TCP and on WebSocket; a Server-Sent Events stream joins at subscribe
 * and gets room events; an idempotent room push is delivered once; bad input is refused; and last,
 * the room's owner stops (a ring change): the next push takes a larger mid and still reaches both
 * members.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebRoomsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final HashRing THREE = Rings.of("comet-1", "comet-2", "comet-3");
    private static final HashRing TWO = Rings.of("comet-1", "comet-2");

    private static WebTestCluster cluster;
    private static Comet comet1;
    private static Comet comet2;
    private static Comet comet3;
    private static Web web;
    private static String room;
    private static TcpClient tcpMember;
    private static TextWebSocketClient wsMember;
    private static final List<Long> mids = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        cluster = new WebTestCluster(2);
        comet1 = cluster.comets().startComet("comet-1");
        comet2 = cluster.comets().startComet("comet-2");
        comet3 = cluster.comets().startComet("comet-3");
        web = cluster.startWeb();
        awaitRing(web, Map.of("comet-1", comet1, "comet-2", comet2, "comet-3", comet3));
        room = Rings.nameOn("lobby", "comet-3", THREE);
        String key1 = Rings.nameOn("m1", "comet-1", THREE, TWO);
        String key2 = Rings.nameOn("m2", "comet-2", THREE, TWO);
        tcpMember =
                TcpClient.send(
                        comet1.tcp(), Wire.request("sub", key1, "30", "", "pushbase.1", "", room));
        assertThat(tcpMember.readLine()).isEqualTo("+h\r\n");
        assertThat(tcpMember.readLine()).isEqualTo("+j " + room + "\r\n");
        wsMember = ws(comet2, key2, "&room=" + room);
        assertThat(wsMember.nextText(WAIT)).isEqualTo("+j " + room + "\r\n");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (tcpMember != null) {
                tcpMember.close();
            }
            if (wsMember != null) {
                wsMember.close();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    private static TextWebSocketClient ws(Comet comet, String key, String extra) throws Exception {
        TextWebSocketClient client =
                TextWebSocketClient.connect(
                        URI.create(
                                "ws://127.0.0.1:"
                                        + comet.ws()
                                        + "/sub?key="
                                        + key
                                        + "&heartbeat=30&ver=pushbase.1"
                                        + extra),
                        null,
                        WAIT);
        assertThat(client.nextText(WAIT)).isEqualTo("+h\r\n");
        return client;
    }

    /** Pushes {@code json} to {@code to}; the room's mid it answered. */
    private static long pushRoom(String to, String json, String idempotencyKey) throws Exception {
        HttpResponse<String> answer =
                web.post(
                        "/1/admin/push/room?room="
                                + to
                                + "&expire=600"
                                + (idempotencyKey == null
                                        ? ""
                                        : "&idempotency_key=" + idempotencyKey),
                        json);
        JsonNode body = JSON.readTree(answer.body());
        assertThat(body.get("ret").asInt()).as(answer.body()).isZero();
        return Long.parseLong(body.get("data").get("mid").asText());
    }

    private static String expected(long mid, String json, String inRoom) {
        return "{\"msg\":"
                + json
                + ",\"mid\":\""
                + mid
                + "\",\"gid\":"
                // A broadcast (room "*") is gopush-cluster's public message: gid 1.
                + ("*".equals(inRoom) ? "1" : "0")
                + ",\"room\":\""
                + inRoom
                + "\"}";
    }

    private static JsonNode adminData(String path) throws Exception {
        HttpResponse<String> answer = web.send(web.adminPort(), "GET", path, null, null);
        JsonNode body = JSON.readTree(answer.body());
        assertThat(body.get("ret").asInt()).as(answer.body()).isZero();
        return body.get("data");
    }

    @Test
    @Order(1)
    void membersOnTwoCometsReceiveEveryRoomPushInMidOrder() throws Exception {
        for (int i = 1; i <= 3; i++) {
            mids.add(pushRoom(room, "{\"n\":" + i + "}", null));
        }
        assertThat(mids).isSorted().doesNotHaveDuplicates();
        for (int i = 1; i <= 3; i++) {
            String message = expected(mids.get(i - 1), "{\"n\":" + i + "}", room);
            assertThat(tcpMember.readPush()).isEqualTo(message);
            assertThat(wsMember.nextText(WAIT)).isEqualTo(message);
        }
    }

    @Test
    @Order(2)
    void presenceCountsTheRoomsMembersOnEveryComet() throws Exception {
        JsonNode online = adminData("/1/admin/room/online?room=" + room);
        assertThat(online.get("room").asText()).isEqualTo(room);
        assertThat(online.get("total").asLong()).isEqualTo(2);
        assertThat(online.get("allAnswered").asBoolean()).isTrue();
        List<String> perComet = new ArrayList<>();
        online.get("comets")
                .forEach(c -> perComet.add(c.get("nodeName").asText() + "=" + c.get("members")));
        assertThat(perComet).containsExactly("comet-1=1", "comet-2=1", "comet-3=0");
    }

    @Test
    @Order(3)
    void theRoomsHistoryIsPulledAndResumedWithTheCompletenessAnswer() throws Exception {
        HttpResponse<String> all = web.get("/1/room/msg/get?room=" + room + "&m=0&ver=pushbase.1");
        assertThat(all.body())
                .isEqualTo(
                        "{\"data\":{\"msgs\":["
                                + expected(mids.get(0), "{\"n\":1}", room)
                                + ","
                                + expected(mids.get(1), "{\"n\":2}", room)
                                + ","
                                + expected(mids.get(2), "{\"n\":3}", room)
                                + "]},\"ret\":0}");
        HttpResponse<String> after =
                web.get("/1/room/msg/get?room=" + room + "&m=" + mids.get(0) + "&complete=1");
        assertThat(after.body())
                .startsWith("{\"data\":{\"complete\":true,\"msgs\":[{\"msg\":{\"n\":2}");

        // A member that was away resumes the room from the first mid it has.
        String key = Rings.nameOn("m3", "comet-1", THREE, TWO);
        try (TcpClient away =
                TcpClient.send(comet1.tcp(), Wire.request("sub", key, "30", "", "pushbase.1"))) {
            assertThat(away.readLine()).isEqualTo("+h\r\n");
            away.socket()
                    .getOutputStream()
                    .write(
                            Wire.request("join", room, Long.toString(mids.get(0)))
                                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(away.readLine()).isEqualTo("+j " + room + " complete\r\n");
            assertThat(away.readPush()).isEqualTo(expected(mids.get(1), "{\"n\":2}", room));
            assertThat(away.readPush()).isEqualTo(expected(mids.get(2), "{\"n\":3}", room));
            long live = pushRoom(room, "{\"n\":4}", null);
            mids.add(live);
            assertThat(away.readPush()).isEqualTo(expected(live, "{\"n\":4}", room));

            // Leaves and switches to another room: only that room's messages come.
            away.socket()
                    .getOutputStream()
                    .write(
                            (Wire.request("leave", room) + Wire.request("join", "game-1"))
                                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(away.readLine()).isEqualTo("+l " + room + "\r\n");
            assertThat(away.readLine()).isEqualTo("+j game-1\r\n");
            mids.add(pushRoom(room, "{\"n\":5}", null));
            long game = pushRoom("game-1", "{\"g\":1}", null);
            assertThat(away.readPush()).isEqualTo(expected(game, "{\"g\":1}", "game-1"));
        }
        assertThat(tcpMember.readPush()).contains("{\"n\":4}");
        assertThat(tcpMember.readPush()).contains("{\"n\":5}");
        assertThat(wsMember.nextText(WAIT)).contains("{\"n\":4}");
        assertThat(wsMember.nextText(WAIT)).contains("{\"n\":5}");
    }

    @Test
    @Order(4)
    void anIdempotentRoomPushRetriedIsDeliveredOnce() throws Exception {
        long first = pushRoom(room, "{\"once\":1}", "order-7");
        HttpResponse<String> retry =
                web.post(
                        "/1/admin/push/room?room=" + room + "&expire=600&idempotency_key=order-7",
                        "{\"once\":1}");
        assertThat(retry.body())
                .isEqualTo("{\"data\":{\"duplicate\":true,\"mid\":\"" + first + "\"},\"ret\":0}");
        long sentinel = pushRoom(room, "{\"sentinel\":1}", null);
        assertThat(wsMember.nextText(WAIT)).isEqualTo(expected(first, "{\"once\":1}", room));
        assertThat(wsMember.nextText(WAIT)).isEqualTo(expected(sentinel, "{\"sentinel\":1}", room));
        assertThat(tcpMember.readPush()).isEqualTo(expected(first, "{\"once\":1}", room));
        assertThat(tcpMember.readPush()).isEqualTo(expected(sentinel, "{\"sentinel\":1}", room));
        mids.add(sentinel);
    }

    @Test
    @Order(5)
    void aWebSocketSwitchesRoomsByCommandAndAStreamJoinsAtSubscribe() throws Exception {
        String key = Rings.nameOn("m4", "comet-2", THREE, TWO);
        try (TextWebSocketClient switching = ws(comet2, key, "")) {
            switching.sendText("join " + room, WAIT);
            assertThat(switching.nextText(WAIT)).isEqualTo("+j " + room + "\r\n");
            long first = pushRoom(room, "{\"ws\":1}", null);
            assertThat(switching.nextText(WAIT)).isEqualTo(expected(first, "{\"ws\":1}", room));
            switching.sendText("leave " + room, WAIT);
            assertThat(switching.nextText(WAIT)).isEqualTo("+l " + room + "\r\n");
            switching.sendText("join game-2", WAIT);
            assertThat(switching.nextText(WAIT)).isEqualTo("+j game-2\r\n");
            mids.add(pushRoom(room, "{\"ws\":2}", null));
            long game = pushRoom("game-2", "{\"g\":2}", null);
            assertThat(switching.nextText(WAIT)).isEqualTo(expected(game, "{\"g\":2}", "game-2"));
        }
        assertThat(tcpMember.readPush()).contains("{\"ws\":1}");
        assertThat(tcpMember.readPush()).contains("{\"ws\":2}");
        assertThat(wsMember.nextText(WAIT)).contains("{\"ws\":1}");
        assertThat(wsMember.nextText(WAIT)).contains("{\"ws\":2}");

        // A Server-Sent Events stream joins the room at subscribe and gets room events.
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        HttpClient http = HttpClient.newHttpClient();
        var stream =
                http.sendAsync(
                        HttpRequest.newBuilder(
                                        URI.create(
                                                "http://127.0.0.1:"
                                                        + comet2.ws()
                                                        + "/sse?key="
                                                        + Rings.nameOn("m5", "comet-2", THREE, TWO)
                                                        + "&ver=pushbase.1&room="
                                                        + room))
                                .build(),
                        HttpResponse.BodyHandlers.ofLines());
        Thread reader =
                new Thread(
                        () -> {
                            try {
                                stream.join().body().forEach(lines::add);
                            } catch (RuntimeException e) {
                                // the stream ends with the test
                            }
                        });
        reader.setDaemon(true);
        reader.start();
        assertThat(nextLineStartingWith(lines, "event: join")).isEqualTo("event: join");
        assertThat(lines.poll(20, TimeUnit.SECONDS)).isEqualTo("data: " + room);
        long sse = pushRoom(room, "{\"sse\":1}", null);
        assertThat(nextLineStartingWith(lines, "event: room")).isEqualTo("event: room");
        assertThat(lines.poll(20, TimeUnit.SECONDS))
                .isEqualTo("data: " + expected(sse, "{\"sse\":1}", room));
        stream.cancel(true);
        mids.add(sse);
        assertThat(tcpMember.readPush()).contains("{\"sse\":1}");
        assertThat(wsMember.nextText(WAIT)).contains("{\"sse\":1}");
    }

    private static String nextLineStartingWith(BlockingQueue<String> lines, String prefix)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line != null && line.startsWith(prefix)) {
                return line;
            }
        }
        throw new AssertionError("no line starting with " + prefix);
    }

    @Test
    @Order(6)
    void aBroadcastReachesEveryConnectionAndIsStoredInItsLog() throws Exception {
        String key = Rings.nameOn("m6", "comet-1", THREE, TWO);
        try (TcpClient plain = TcpClient.subscribe(comet1.tcp(), key, "", "pushbase.1")) {
            assertThat(plain.readLine()).isEqualTo("+h\r\n");
            HttpResponse<String> answer =
                    web.post("/1/admin/push/all?expire=600&spread=1", "{\"all\":1}");
            JsonNode body = JSON.readTree(answer.body());
            assertThat(body.get("ret").asInt()).as(answer.body()).isZero();
            long mid = Long.parseLong(body.get("data").get("mid").asText());
            String message = expected(mid, "{\"all\":1}", "*");
            assertThat(plain.readPush()).isEqualTo(message);
            assertThat(tcpMember.readPush()).isEqualTo(message);
            assertThat(wsMember.nextText(WAIT)).isEqualTo(message);
            assertThat(web.get("/1/room/msg/get?room=*&m=0&ver=pushbase.1").body())
                    .isEqualTo("{\"data\":{\"msgs\":[" + message + "]},\"ret\":0}");
        }
        assertThat(web.post("/1/admin/push/all?expire=60&spread=601", "{}").body())
                .isEqualTo("{\"ret\":65534}");
        // "*" is the broadcasts' log, not a room: it cannot be pushed to or joined as one.
        assertThat(web.post("/1/admin/push/room?room=*&expire=60", "{}").body())
                .isEqualTo("{\"ret\":65534}");
    }

    @Test
    @Order(7)
    void badRoomsAreRefusedNamingTheProblem() throws Exception {
        HttpResponse<String> spaced = web.post("/1/admin/push/room?room=a%20b&expire=60", "{}");
        assertThat(spaced.body()).isEqualTo("{\"ret\":65534}");
        assertThat(spaced.headers().firstValue("X-Pushbase-Error").orElseThrow())
                .contains("room has a character other than");
        assertThat(web.post("/1/admin/push/room?expire=60", "{}").body())
                .isEqualTo("{\"ret\":65534}");
        assertThat(
                        web.send(web.adminPort(), "GET", "/1/admin/room/online?room=", null, null)
                                .body())
                .isEqualTo("{\"ret\":65534}");
        assertThat(web.get("/1/room/msg/get?room=x,y&m=0").body()).isEqualTo("{\"ret\":65534}");
    }

    @Test
    @Order(8)
    void whenTheRoomsOwnerStopsTheNextPushTakesALargerMidAndReachesEveryMember() throws Exception {
        cluster.comets().stop(comet3);
        awaitRing(web, Map.of("comet-1", comet1, "comet-2", comet2));
        long after = pushRoom(room, "{\"moved\":1}", null);
        assertThat(after).isGreaterThan(mids.get(mids.size() - 1));
        assertThat(tcpMember.readPush()).isEqualTo(expected(after, "{\"moved\":1}", room));
        assertThat(wsMember.nextText(WAIT)).isEqualTo(expected(after, "{\"moved\":1}", room));
    }
}
