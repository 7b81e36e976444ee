package io.pushbase.web.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.ConfigOverride;
import io.pushbase.comet.testing.CometTestCluster.Comet;
import io.pushbase.comet.testing.TcpClient;
import io.pushbase.web.testing.WebTestCluster;
import io.pushbase.web.testing.WebTestCluster.Web;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Auth on, as an operator would run it: comet and web node share the token secret, and the admin
 * API has a bearer secret. Tokens issued by the web node are accepted by the comet and by the
 * offline pull, for their key only; a room's history needs a valid token whose rooms claim names
 * the room; without the bearer secret no admin route answers.
 */
class WebAuthIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "a-shared-token-secret-of-32-bytes-at-least";
    private static final String ADMIN = "Bearer the-admin-secret";
    private static WebTestCluster cluster;
    private static Comet comet;
    private static Web web;

    @BeforeAll
    static void start() throws Exception {
        cluster = new WebTestCluster(1);
        comet =
                cluster.comets()
                        .startComet(
                                "comet-auth",
                                ConfigOverride.config("auth.enabled", "true"),
                                ConfigOverride.config("auth.secret", SECRET));
        web =
                cluster.startWeb(
                        ConfigOverride.config(WebTestCluster.PREFIX, "auth.enabled", "true"),
                        ConfigOverride.config(WebTestCluster.PREFIX, "auth.secret", SECRET),
                        ConfigOverride.config(
                                WebTestCluster.PREFIX, "api.adminSecret", "the-admin-secret"));
        long deadline = System.currentTimeMillis() + 30_000;
        while (!web.get("/1/server/get?p=2&k=a").body().contains(":" + comet.tcp())) {
            assertThat(System.currentTimeMillis()).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static HttpResponse<String> admin(String path, String authorization) throws Exception {
        return web.send(web.adminPort(), "POST", path, "", authorization);
    }

    private static String token(String key) throws Exception {
        HttpResponse<String> issued = admin("/1/admin/token?key=" + key + "&ttl=60", ADMIN);
        JsonNode answer = JSON.readTree(issued.body());
        assertThat(answer.get("ret").asInt()).isZero();
        return answer.get("data").get("token").asText();
    }

    @Test
    void adminRoutesNeedTheBearerSecret() throws Exception {
        for (String auth : new String[] {null, "Bearer wrong", "the-admin-secret"}) {
            HttpResponse<String> refused = admin("/1/admin/token?key=a", auth);
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.body()).isEqualTo("{\"ret\":1002}");
        }
        HttpResponse<String> push =
                web.send(
                        web.adminPort(),
                        "POST",
                        "/1/admin/push/private?key=a&expire=5",
                        "{}",
                        null);
        assertThat(push.statusCode()).isEqualTo(401);
        assertThat(push.body()).isEqualTo("{\"ret\":1002}");
        assertThat(push.headers().firstValue("X-Pushbase-Error")).isPresent();
        assertThat(web.send(web.adminPort(), "GET", "/1/admin/nodes", null, null).statusCode())
                .isEqualTo(401);
        assertThat(web.send(web.adminPort(), "GET", "/1/admin/nodes", null, ADMIN).statusCode())
                .isEqualTo(200);
        // The console page holds no data: a browser opens it without the header; what it reads
        // from the admin API needs the secret as above.
        HttpResponse<String> console = web.send(web.adminPort(), "GET", "/console", null, null);
        assertThat(console.statusCode()).isEqualTo(200);
        assertThat(console.body()).contains("Pushbase console");
        assertThat(
                        web.send(web.adminPort(), "GET", "/console/uPlot.iife.min.js", null, null)
                                .statusCode())
                .isEqualTo(200);
        assertThat(web.send(web.adminPort(), "GET", "/1/admin/key?key=k", null, null).statusCode())
                .isEqualTo(401);
        assertThat(web.send(web.adminPort(), "GET", "/1/admin/key?key=k", null, ADMIN).statusCode())
                .isEqualTo(200);
        // Dropwizard's own admin pages are not part of the admin API.
        assertThat(web.send(web.adminPort(), "GET", "/healthcheck", null, null).body())
                .contains("messageNodes");
    }

    @Test
    void anIssuedTokenOpensTheCometAndTheMailboxOfItsKeyOnly() throws Exception {
        String key = "alice";
        String token = token(key);
        try (TcpClient client = TcpClient.subscribe(comet.tcp(), key, token, "1");
                TcpClient thief = TcpClient.subscribe(comet.tcp(), "bob", token, "1");
                TcpClient anonymous = TcpClient.subscribe(comet.tcp(), key, null, null)) {
            assertThat(client.readLine()).isEqualTo("+h\r\n");
            assertThat(thief.readLine()).isEqualTo("-a\r\n");
            assertThat(anonymous.readLine()).isEqualTo("-a\r\n");
            HttpResponse<String> pushed =
                    web.send(
                            web.adminPort(),
                            "POST",
                            "/1/admin/push/private?key=" + key + "&expire=60",
                            "{\"secret\":1}",
                            ADMIN);
            assertThat(pushed.body()).isEqualTo("{\"ret\":0}");
            assertThat(client.readPush()).startsWith("{\"msg\":{\"secret\":1},");
        }
        assertThat(web.get("/1/msg/get?k=" + key + "&m=0").body()).isEqualTo("{\"ret\":1002}");
        assertThat(web.get("/1/msg/get?k=" + key + "&m=0&t=garbage").body())
                .isEqualTo("{\"ret\":1002}");
        assertThat(web.get("/1/msg/get?k=bob&m=0&t=" + token).body()).isEqualTo("{\"ret\":1002}");
        assertThat(web.get("/msg/get?key=" + key + "&mid=0").body())
                .isEqualTo("{\"msg\":\"ok\",\"ret\":1002}");
        assertThat(web.get("/1/msg/get?k=" + key + "&m=0&t=" + token).body())
                .contains("{\"secret\":1}");
        assertThat(web.get("/msg/get?key=" + key + "&mid=0&token=" + token).body())
                .contains("secret");
        // Lookup and time need no token, as in gopush-cluster.
        assertThat(web.get("/1/time/get").body()).contains("timeid");
    }

    @Test
    void aRoomsHistoryNeedsAValidTokenWhoseRoomsClaimNamesTheRoom() throws Exception {
        HttpResponse<String> issued =
                admin("/1/admin/token?key=carol&ttl=60&room=lobby&room=game-*", ADMIN);
        JsonNode answer = JSON.readTree(issued.body());
        assertThat(answer.get("ret").asInt()).as(issued.body()).isZero();
        String token = answer.get("data").get("token").asText();
        String pushed =
                web.send(
                                web.adminPort(),
                                "POST",
                                "/1/admin/push/room?room=game-7&expire=60",
                                "{\"move\":1}",
                                ADMIN)
                        .body();
        assertThat(JSON.readTree(pushed).get("ret").asInt()).as(pushed).isZero();
        String mid = JSON.readTree(pushed).get("data").get("mid").asText();

        // Named by a prefix of the claim: the history, as without auth.
        assertThat(web.get("/1/room/msg/get?room=game-7&m=0&k=carol&t=" + token).body())
                .isEqualTo(
                        "{\"data\":{\"msgs\":[{\"msg\":{\"move\":1},\"mid\":"
                                + mid
                                + ",\"gid\":0,\"room\":\"game-7\"}]},\"ret\":0}");
        // Broadcasts reached every connection: any valid token reads their history.
        assertThat(web.get("/1/room/msg/get?room=*&m=0&k=carol&t=" + token).body())
                .isEqualTo("{\"ret\":0}");
        // Each refusal is 1002 naming why.
        Map<String, String> refused = new LinkedHashMap<>();
        refused.put(
                "/1/room/msg/get?room=other&m=0&k=carol&t=" + token,
                "the token's rooms claim does not name other");
        refused.put(
                "/1/room/msg/get?room=lobby&m=0&t=" + token,
                "with auth on, k (the token's key) and t are required");
        refused.put("/1/room/msg/get?room=lobby&m=0&k=carol", "token missing");
        refused.put("/1/room/msg/get?room=lobby&m=0&k=carol&t=garbage", "token invalid");
        refused.put("/1/room/msg/get?room=lobby&m=0&k=dave&t=" + token, "token wrong key");
        for (Map.Entry<String, String> r : refused.entrySet()) {
            HttpResponse<String> response = web.get(r.getKey());
            assertThat(response.body()).as(r.getKey()).isEqualTo("{\"ret\":1002}");
            assertThat(response.headers().firstValue("X-Pushbase-Error"))
                    .as(r.getKey())
                    .hasValue(r.getValue());
        }
    }

    @Test
    void tokenTtlsOutsideTheBoundsAreRefused() throws Exception {
        for (String ttl : new String[] {"0", "-1", "x", "2592001"}) {
            assertThat(admin("/1/admin/token?key=a&ttl=" + ttl, ADMIN).body())
                    .as(ttl)
                    .isEqualTo("{\"ret\":65534}");
        }
        assertThat(admin("/1/admin/token?ttl=5", ADMIN).body()).isEqualTo("{\"ret\":65534}");
        assertThat(JSON.readTree(admin("/1/admin/token?key=a", ADMIN).body()).get("ret").asInt())
                .isZero();
    }
}
