package io.pushbase.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pushbase.cluster.ring.HashRing;
import io.pushbase.comet.testing.TcpClient;
import io.pushbase.comet.testing.Wire;
import io.pushbase.e2e.E2eCluster.Node;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * (Issue 14) Rooms on the distribution's own processes — local HBase, a message node, two comets
 * and a web node, each started from the built distribution: a room with a member on each comet
 * receives every room push, in mid order, and a broadcast; a member that was away while more was
 * pushed to the room comes back with the largest mid it had and gets exactly what it missed after
 * {@code +j <room> complete}, then live ones.
 */
class RoomsIT {
    /** Kept when the test fails: every node's log is under {@code logs/}. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path temp;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final HashRing TWO = HashRing.of(Map.of("comet-1", 1, "comet-2", 1));

    @Test
    void aRoomWithMembersOnTwoCometsGetsEveryPushAndAMemberThatWasAwayResumesIt() throws Exception {
        try (E2eCluster cluster = E2eCluster.start(temp)) {
            cluster.startMessage("message-1");
            Node comet1 = cluster.startComet("comet-1", "comet-1");
            Node comet2 = cluster.startComet("comet-2", "comet-2");
            cluster.awaitCometRole(comet1, "LEADER", Duration.ofSeconds(90));
            cluster.awaitCometRole(comet2, "LEADER", Duration.ofSeconds(90));
            Node web = cluster.startWeb("web-1");
            String key1 = keyOn("member", "comet-1");
            String key2 = keyOn("member", "comet-2");
            // The web node and both comets see the ring of two.
            awaitLookup(web, key1, comet1);
            awaitLookup(web, key2, comet2);
            String room = "e2e.lobby";

            TcpClient one = join(comet1, key1, room);
            TcpClient two = join(comet2, key2, room);
            List<Long> mids = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                mids.add(pushRoom(web, room, "{\"i\":" + i + "}"));
            }
            assertThat(mids).isSorted().doesNotHaveDuplicates();
            for (int i = 0; i < 20; i++) {
                assertThat(message(one, room, mids.get(i))).isEqualTo("{\"i\":" + i + "}");
            }
            // The second member reads half, then goes away.
            for (int i = 0; i < 10; i++) {
                assertThat(message(two, room, mids.get(i))).isEqualTo("{\"i\":" + i + "}");
            }
            long last = mids.get(9);
            two.close();

            for (int i = 20; i < 30; i++) {
                mids.add(pushRoom(web, room, "{\"i\":" + i + "}"));
            }
            for (int i = 20; i < 30; i++) {
                assertThat(message(one, room, mids.get(i))).isEqualTo("{\"i\":" + i + "}");
            }

            // Back, resuming the room after the largest mid it had: what it missed, in order.
            try (TcpClient back =
                    TcpClient.send(
                            comet2.port("tcp"),
                            Wire.request(
                                    "sub", key2, "30", "", "pushbase.1", "", room + "@" + last))) {
                assertThat(back.readLine()).isEqualTo("+h\r\n");
                assertThat(back.readLine()).isEqualTo("+j " + room + " complete\r\n");
                for (int i = 10; i < 30; i++) {
                    assertThat(message(back, room, mids.get(i))).isEqualTo("{\"i\":" + i + "}");
                }
                long live = pushRoom(web, room, "{\"live\":1}");
                assertThat(message(back, room, live)).isEqualTo("{\"live\":1}");
                assertThat(message(one, room, live)).isEqualTo("{\"live\":1}");

                // A broadcast reaches every connection of both comets.
                HttpResponse<String> all = post(web, "/1/admin/push/all?expire=600", "{\"all\":1}");
                long broadcast =
                        Long.parseLong(JSON.readTree(all.body()).get("data").get("mid").asText());
                assertThat(message(back, "*", broadcast)).isEqualTo("{\"all\":1}");
                assertThat(message(one, "*", broadcast)).isEqualTo("{\"all\":1}");
            }
            one.close();
        }
    }

    /** The first {@code prefix-<n>} the ring of both comets places on {@code node}. */
    private static String keyOn(String prefix, String node) {
        for (int i = 0; ; i++) {
            String key = prefix + "-" + i;
            if (TWO.nodeFor(key).orElseThrow().equals(node)) {
                return key;
            }
        }
    }

    private static void awaitLookup(Node web, String key, Node comet) throws Exception {
        String expected = "127.0.0.1:" + comet.port("tcp");
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            HttpResponse<String> answer =
                    HTTP.send(
                            HttpRequest.newBuilder(
                                            URI.create(
                                                    "http://127.0.0.1:"
                                                            + web.port("http")
                                                            + "/1/server/get?p=2&k="
                                                            + key))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            if (answer.body().contains(expected)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the web node never placed " + key + " on " + comet);
    }

    /** A member of {@code room} subscribed to {@code key} on {@code comet} (exact mids). */
    private static TcpClient join(Node comet, String key, String room) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            TcpClient client =
                    TcpClient.send(
                            comet.port("tcp"),
                            Wire.request("sub", key, "30", "", "pushbase.1", "", room));
            String first = client.readLine();
            if (first.equals("+h\r\n")) {
                assertThat(client.readLine()).isEqualTo("+j " + room + "\r\n");
                return client;
            }
            client.close();
            // -n: the comet does not see the ring of two yet.
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError(comet + " answered " + first + " for " + key);
            }
            Thread.sleep(200);
        }
    }

    private static long pushRoom(Node web, String room, String body) throws Exception {
        HttpResponse<String> answer =
                post(web, "/1/admin/push/room?room=" + room + "&expire=600", body);
        JsonNode json = JSON.readTree(answer.body());
        assertThat(json.get("ret").asInt()).as(answer.body()).isZero();
        return Long.parseLong(json.get("data").get("mid").asText());
    }

    private static HttpResponse<String> post(Node web, String path, String body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + web.port("admin") + path))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The next message of {@code client}, checked to be {@code room}'s {@code mid}; its payload.
     */
    private static String message(TcpClient client, String room, long mid) throws Exception {
        JsonNode message = JSON.readTree(client.readPush());
        assertThat(message.get("room").asText()).isEqualTo(room);
        assertThat(message.get("mid").asText()).isEqualTo(Long.toString(mid));
        return message.get("msg").toString();
    }
}
