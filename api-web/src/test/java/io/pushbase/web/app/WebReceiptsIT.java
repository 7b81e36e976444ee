package io.pushbase.web.app;

import static io.pushbase.web.testing.WebTestCluster.awaitRing;
import static io.pushbase.web.testing.WebTestCluster.q;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pushbase.comet.testing.CometTestCluster.Comet;
import io.pushbase.comet.testing.TcpClient;
import io.pushbase.comet.testing.Wire;
import io.pushbase.web.testing.WebTestCluster;
import io.pushbase.web.testing.WebTestCluster.Web;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * (Pushbase) Delivery receipts on a web node's admin port (docs/WEB.md "Delivery receipts") in
 * front of a real comet and message node: a subscriber acks over a real TCP connection with two
 * device ids, and {@code /1/admin/cursors} and {@code /1/admin/acked} answer the cursors, the
 * unread counts and which devices acknowledged a mid; bad input is {@code 65534} with its problem.
 */
class WebReceiptsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static WebTestCluster cluster;
    private static Comet comet;
    private static Web web;

    @BeforeAll
    static void start() throws Exception {
        cluster = new WebTestCluster(1);
        comet = cluster.comets().startComet("comet-1");
        web = cluster.startWeb();
        awaitRing(web, Map.of("comet-1", comet));
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static HttpResponse<String> admin(String pathAndQuery) throws Exception {
        return web.send(web.adminPort(), "GET", pathAndQuery, null, null);
    }

    private static JsonNode data(String pathAndQuery) throws Exception {
        HttpResponse<String> response = admin(pathAndQuery);
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("ret").asInt(-1)).as(response.body()).isZero();
        return body.path("data");
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }

    @Test
    void theCursorsUnreadCountsAndReceiptsOfAKeyFollowItsDevicesAcks() throws Exception {
        String key = "receipts-key";
        long[] mids = new long[3];
        try (TcpClient client = TcpClient.subscribe(comet.tcp(), key, null, "1")) {
            assertThat(client.readLine()).isEqualTo("+h\r\n");
            for (int i = 0; i < 3; i++) {
                mids[i] = comet.push(key, "{\"n\":" + i + "}", 600).getMid();
                assertThat(client.readPush()).contains("\"mid\":" + mids[i]);
            }
            client.write(Wire.request("ack", key, "phone", Long.toString(mids[0])));
            client.write(Wire.request("ack", key, "tablet", Long.toString(mids[2])));

            String path = "/1/admin/cursors?key=" + q(key);
            long deadline = System.currentTimeMillis() + 10_000;
            while (data(path).path("devices").size() < 2 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            JsonNode cursors = data(path);
            assertThat(cursors.path("key").asText()).isEqualTo(key);
            assertThat(cursors.path("head").asText()).isEqualTo(Long.toString(mids[2]));
            JsonNode devices = cursors.path("devices");
            assertThat(devices.size()).isEqualTo(2);
            assertThat(devices.get(0).path("device").asText()).isEqualTo("phone");
            assertThat(devices.get(0).path("cursor").asText()).isEqualTo(Long.toString(mids[0]));
            assertThat(devices.get(0).path("unread").asInt()).isEqualTo(2);
            assertThat(devices.get(0).path("ackedAtMillis").asLong())
                    .isGreaterThan(System.currentTimeMillis() - 60_000);
            assertThat(devices.get(1).path("device").asText()).isEqualTo("tablet");
            assertThat(devices.get(1).path("cursor").asText()).isEqualTo(Long.toString(mids[2]));
            assertThat(devices.get(1).path("unread").asInt()).isZero();

            JsonNode first = data("/1/admin/acked?key=" + q(key) + "&mid=" + mids[0]);
            assertThat(first.path("mid").asText()).isEqualTo(Long.toString(mids[0]));
            assertThat(first.path("issued").asBoolean()).isTrue();
            assertThat(first.path("acked").asBoolean()).isTrue();
            assertThat(texts(first.path("devices"))).containsExactly("phone", "tablet");
            JsonNode second = data("/1/admin/acked?key=" + q(key) + "&mid=" + mids[1]);
            assertThat(texts(second.path("devices"))).containsExactly("tablet");
            JsonNode never = data("/1/admin/acked?key=" + q(key) + "&mid=" + (mids[2] + 1));
            assertThat(never.path("issued").asBoolean()).isFalse();
            assertThat(never.path("acked").asBoolean()).isFalse();
            assertThat(never.path("devices").size()).isZero();
        }
    }

    @Test
    void aKeyWithoutAcksHasNoDevices() throws Exception {
        JsonNode cursors = data("/1/admin/cursors?key=nobody-acked");
        assertThat(cursors.path("head").asText()).isEqualTo("-1");
        assertThat(cursors.path("devices").size()).isZero();
        JsonNode receipt = data("/1/admin/acked?key=nobody-acked&mid=5");
        assertThat(receipt.path("acked").asBoolean()).isFalse();
        assertThat(receipt.path("issued").asBoolean()).isFalse();
    }

    @Test
    void badInputIsAParameterErrorNamingTheProblem() throws Exception {
        String[][] cases = {
            {"/1/admin/cursors", "key is required"},
            {"/1/admin/cursors?key=", "key is required"},
            {"/1/admin/cursors?key=" + "k".repeat(257), "key is 257 bytes, at most 256 allowed"},
            {"/1/admin/acked?key=k", "mid must be a decimal int64 above 0, got 'null'"},
            {"/1/admin/acked?key=k&mid=12x", "mid must be a decimal int64 above 0, got '12x'"},
            {"/1/admin/acked?key=k&mid=0", "mid must be a decimal int64 above 0, got '0'"},
            {
                "/1/admin/acked?key=k&mid=9223372036854775808",
                "mid must be a decimal int64 above 0, got '9223372036854775808'"
            },
            {"/1/admin/acked?mid=5", "key is required"},
        };
        for (String[] c : cases) {
            HttpResponse<String> response = admin(c[0]);
            assertThat(response.body()).as(c[0]).isEqualTo("{\"ret\":65534}");
            assertThat(response.headers().firstValue("X-Pushbase-Error")).as(c[0]).hasValue(c[1]);
        }
    }
}
