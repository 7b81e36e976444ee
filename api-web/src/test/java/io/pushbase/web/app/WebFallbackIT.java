package io.pushbase.web.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.ConfigOverride;
import io.grpc.Server;
import io.pushbase.web.testing.WebTestCluster;
import io.pushbase.web.testing.WebTestCluster.Web;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A comet that is registered but cannot be reached (its gRPC port refuses connections): the web
 * node still answers lookups from the ring, stores every push with {@code expire > 0} itself
 * through a message node ({@code ret 0}, pulled afterwards), says {@code 1001} for online-only
 * pushes, lists them in {@code fk} for multi-key pushes, and deletes regardless. Then the message
 * nodes go too: pushes and pulls answer {@code 65535}, and the cluster view shows a comet's failing
 * {@code messageNodes} check with its reason and the message nodes as not answering. Deterministic:
 * no timing decides the path.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebFallbackIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static WebTestCluster cluster;
    private static Web web;
    private static int ghostGrpcPort;

    @BeforeAll
    static void start() throws Exception {
        cluster = new WebTestCluster(1);
        try (ServerSocket s = new ServerSocket(0)) {
            ghostGrpcPort = s.getLocalPort(); // closed again: connections to it are refused
        }
        cluster.registerComet("ghost", ghostGrpcPort);
        web =
                cluster.startWeb(
                        ConfigOverride.config(
                                WebTestCluster.PREFIX, "messageNodes.totalTimeout", "2s"));
        WebTestCluster.awaitRegisteredComet(web);
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void lookupStillNamesTheRegisteredComet() throws Exception {
        assertThat(web.get("/1/server/get?p=1&k=anything").body())
                .isEqualTo("{\"data\":{\"server\":\"127.0.0.1:16968\"},\"ret\":0}");
    }

    @Test
    @Order(2)
    void aPushIsStoredByTheWebNodeAndPulledWithAGrowingMid() throws Exception {
        long before = web.meter("web.push.fallback");
        assertThat(web.post("/1/admin/push/private?key=k1&expire=600", "{\"n\":1}").body())
                .isEqualTo("{\"ret\":0}");
        assertThat(web.post("/1/admin/push/private?key=k1&expire=600", "{\"n\":2}").body())
                .isEqualTo("{\"ret\":0}");
        assertThat(web.meter("web.push.fallback")).isEqualTo(before + 2);
        JsonNode msgs =
                JSON.readTree(web.get("/1/msg/get?k=k1&m=0").body()).get("data").get("msgs");
        assertThat(msgs).hasSize(2);
        assertThat(msgs.get(0).get("msg").get("n").asInt()).isEqualTo(1);
        assertThat(msgs.get(1).get("msg").get("n").asInt()).isEqualTo(2);
        assertThat(msgs.get(1).get("mid").asLong()).isGreaterThan(msgs.get(0).get("mid").asLong());
    }

    @Test
    @Order(3)
    void anOnlineOnlyPushHasNothingToStoreAndSaysSo() throws Exception {
        HttpResponse<String> answer = web.post("/1/admin/push/private?key=k2&expire=0", "{}");
        assertThat(answer.body()).isEqualTo("{\"ret\":1001}");
        assertThat(answer.headers().firstValue("X-Pushbase-Error"))
                .get()
                .asString()
                .contains("ghost")
                .contains("UNAVAILABLE");
        assertThat(web.get("/1/msg/get?k=k2&m=0").body()).isEqualTo("{\"ret\":0}");
    }

    @Test
    @Order(4)
    void aMultiKeyPushStoresEveryKeyOrListsTheOnlineOnlyOnes() throws Exception {
        String body = JSON.writeValueAsString(Map.of("m", "[1]", "k", "m1,m2,m3"));
        assertThat(web.post("/1/admin/push/mprivate?expire=60", body).body())
                .isEqualTo("{\"ret\":0}");
        for (String key : new String[] {"m1", "m2", "m3"}) {
            assertThat(web.get("/1/msg/get?k=" + key + "&m=0").body()).contains("\"msg\":[1]");
        }
        assertThat(web.post("/1/admin/push/mprivate?expire=0", body).body())
                .isEqualTo("{\"data\":{\"fk\":[\"m1\",\"m2\",\"m3\"]},\"ret\":0}");
    }

    @Test
    @Order(5)
    void deleteSucceedsThoughTheCometCannotBeToldToClose() throws Exception {
        long before = web.meter("web.delete.close.failed");
        assertThat(web.post("/1/admin/msg/del", "key=k1").body()).isEqualTo("{\"ret\":0}");
        assertThat(web.get("/1/msg/get?k=k1&m=0").body()).isEqualTo("{\"ret\":0}");
        long deadline = System.currentTimeMillis() + 10_000;
        while (web.meter("web.delete.close.failed") == before) {
            assertThat(System.currentTimeMillis()).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @Test
    @Order(6)
    void withTheMessageNodesGoneTooPushesAndPullsAnswerInternalError() throws Exception {
        for (Server server : cluster.comets().messageServers()) {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        HttpResponse<String> push = web.post("/1/admin/push/private?key=k3&expire=60", "{}");
        assertThat(push.body()).isEqualTo("{\"ret\":65535}");
        assertThat(push.headers().firstValue("X-Pushbase-Error"))
                .get()
                .asString()
                .contains("storing it failed too");
        assertThat(web.get("/1/msg/get?k=k3&m=0").body()).isEqualTo("{\"ret\":65535}");
        assertThat(web.get("/msg/get?key=k3&mid=0").body())
                .isEqualTo("{\"msg\":\"ok\",\"ret\":65535}");
        assertThat(web.post("/1/admin/msg/del?key=k3", "").body()).isEqualTo("{\"ret\":65535}");
        assertThat(web.meter("web.push.fallback.failed")).isPositive();
        JsonNode health =
                JSON.readTree(web.send(web.adminPort(), "GET", "/healthcheck", null, null).body());
        assertThat(health.get("messageNodes").get("healthy").asBoolean()).isFalse();
    }

    @Test
    @Order(7)
    void theClusterViewShowsACometsFailingCheckWithItsReasonAndTheSilentMessageNodes()
            throws Exception {
        // A real comet started now: its message nodes are still registered but gone, so its own
        // messageNodes check fails (after its 2 s bound) with the reason it gives on its admin
        // port.
        cluster.comets()
                .startComet("late", ConfigOverride.config("messageNodes.totalTimeout", "2s"));
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            JsonNode data =
                    JSON.readTree(
                                    web.send(web.adminPort(), "GET", "/1/admin/nodes", null, null)
                                            .body())
                            .get("data");
            JsonNode late = null;
            for (JsonNode comet : data.get("comets")) {
                if (comet.get("nodeName").asText().equals("late")) {
                    late = comet.get("health");
                }
            }
            String reason = late == null ? null : failing(late, "messageNodes");
            if (reason != null && reason.startsWith("no message node answered")) {
                assertThat(late.get("problem").isNull()).isTrue();
                // The message node itself cannot say anything: it does not answer.
                assertThat(data.get("messages")).isNotEmpty();
                for (JsonNode node : data.get("messages")) {
                    assertThat(node.get("health").get("checks").isNull()).isTrue();
                    assertThat(node.get("health").get("problem").asText())
                            .startsWith("did not answer: UNAVAILABLE");
                }
                return;
            }
            assertThat(System.currentTimeMillis())
                    .as("the late comet's failing messageNodes check in the view: " + late)
                    .isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    /** The message of a node's failing check {@code name} in the cluster view, else null. */
    private static String failing(JsonNode health, String name) {
        if (!health.get("checks").isArray()) {
            return null;
        }
        for (JsonNode check : health.get("checks")) {
            if (check.get("name").asText().equals(name) && !check.get("healthy").asBoolean()) {
                return check.get("message").asText();
            }
        }
        return null;
    }
}
