package io.pushbase.web.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pushbase.comet.testing.CometTestCluster.Comet;
import io.pushbase.comet.testing.TcpClient;
import io.pushbase.web.testing.WebTestCluster;
import io.pushbase.web.testing.WebTestCluster.Web;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Idempotent pushes (issue 12 item 4) over real sockets: one comet, two message nodes and two web
 * nodes from the shipped configuration. A subscriber on the comet counts frames: after each retry a
 * plain "sentinel" push follows, and the next frame the subscriber reads must be the sentinel, so a
 * retry that delivered anything would show. Stored messages are counted by the offline pull.
 */
class WebIdempotencyIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static WebTestCluster cluster;
    private static Comet comet;
    private static Web web;
    private static Web secondWeb;

    @BeforeAll
    static void start() throws Exception {
        cluster = new WebTestCluster(2);
        comet = cluster.comets().startComet("comet-a");
        web = cluster.startWeb();
        secondWeb = cluster.startWeb();
        for (Web w : List.of(web, secondWeb)) {
            long deadline = System.currentTimeMillis() + 30_000;
            while (!w.get("/1/server/get?p=2&k=a").body().contains(":" + comet.tcp())) {
                assertThat(System.currentTimeMillis()).isLessThan(deadline);
                Thread.sleep(50);
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** A POST on {@code node}'s admin port with an optional Idempotency-Key header. */
    private static HttpResponse<String> push(
            Web node, String pathAndQuery, String body, String idem) throws Exception {
        return node.post(
                pathAndQuery, body, idem == null ? Map.of() : Map.of("Idempotency-Key", idem));
    }

    private static JsonNode data(HttpResponse<String> answer) throws Exception {
        JsonNode json = JSON.readTree(answer.body());
        assertThat(json.get("ret").asInt()).as(answer.body()).isZero();
        return json.get("data");
    }

    /** A new-format TCP subscriber of {@code key} on the comet, its {@code +h} read. */
    private static TcpClient subscribed(String key) throws Exception {
        TcpClient sub = TcpClient.subscribe(comet.tcp(), key, null, "1");
        assertThat(sub.readLine()).isEqualTo("+h\r\n");
        return sub;
    }

    /** Pushes {@code {}} with {@code idem} through the first web node; its mid, once delivered. */
    private static String pushDelivered(TcpClient sub, String key, long expire, String idem)
            throws Exception {
        String mid =
                data(push(
                                web,
                                "/1/admin/push/private?key=" + key + "&expire=" + expire,
                                "{}",
                                idem))
                        .get("mid")
                        .asText();
        assertThat(sub.readPush()).contains("\"mid\":" + mid);
        return mid;
    }

    /** Pushes a plain sentinel and checks it is the subscriber's next frame. */
    private static void nextFrameIsTheSentinel(TcpClient sub, String key) throws Exception {
        String sentinel = "{\"sentinel\":\"" + UUID.randomUUID() + "\"}";
        assertThat(
                        push(
                                        web,
                                        "/1/admin/push/private?key=" + key + "&expire=600",
                                        sentinel,
                                        null)
                                .body())
                .isEqualTo("{\"ret\":0}");
        assertThat(sub.readPush()).contains(sentinel.substring(1, sentinel.length() - 1));
    }

    @Test
    void aRetryWithTheSameKeyAnswersTheFirstMidAndIsStoredAndDeliveredOnce() throws Exception {
        String key = "idem-header";
        String idem = UUID.randomUUID().toString();
        try (TcpClient sub = subscribed(key)) {
            long before = web.meter("web.push.duplicates");

            HttpResponse<String> first =
                    push(
                            web,
                            "/1/admin/push/private?key=" + key + "&expire=600",
                            "{\"n\":1}",
                            idem);
            String mid = data(first).get("mid").asText();
            assertThat(first.body())
                    .isEqualTo(
                            "{\"data\":{\"duplicate\":false,\"mid\":\"" + mid + "\"},\"ret\":0}");
            assertThat(sub.readPush())
                    .isEqualTo("{\"msg\":{\"n\":1},\"mid\":" + mid + ",\"gid\":0}");

            HttpResponse<String> retry =
                    push(
                            web,
                            "/1/admin/push/private?key=" + key + "&expire=600",
                            "{\"n\":1}",
                            idem);
            // The header as the IETF draft writes it, a structured-field string, is the same key.
            HttpResponse<String> quoted =
                    push(
                            web,
                            "/admin/push?key=" + key + "&expire=600",
                            "{\"n\":1}",
                            "\"" + idem + "\"");

            String duplicate = "{\"data\":{\"duplicate\":true,\"mid\":\"" + mid + "\"},\"ret\":0}";
            assertThat(retry.body()).isEqualTo(duplicate);
            assertThat(quoted.body()).isEqualTo(duplicate);
            nextFrameIsTheSentinel(sub, key);
            assertThat(web.storedMids(key)).hasSize(2).first().isEqualTo(Long.parseLong(mid));
            assertThat(web.meter("web.push.duplicates")).isEqualTo(before + 2);
            assertThat(comet.count("comet.push.duplicates")).isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    void theQueryParameterFormIsTheSameKeyAsTheHeader() throws Exception {
        String key = "idem-param";
        String idem = "order 7/" + UUID.randomUUID(); // a space and a slash, %-encoded
        try (TcpClient sub = subscribed(key)) {
            HttpResponse<String> first =
                    push(
                            web,
                            "/1/admin/push/private?key="
                                    + key
                                    + "&expire=600&idempotency_key="
                                    + WebTestCluster.q(idem),
                            "{\"p\":1}",
                            null);
            String mid = data(first).get("mid").asText();
            sub.readPush();
            HttpResponse<String> retry =
                    push(
                            web,
                            "/1/admin/push/private?key=" + key + "&expire=600",
                            "{\"p\":1}",
                            idem);
            assertThat(data(retry).get("mid").asText()).isEqualTo(mid);
            assertThat(data(retry).get("duplicate").asBoolean()).isTrue();
            nextFrameIsTheSentinel(sub, key);
            assertThat(web.storedMids(key)).hasSize(2);
        }
    }

    @Test
    void theSameIdempotencyKeyForAnotherKeyIsAnotherPush() throws Exception {
        String idem = UUID.randomUUID().toString();
        HttpResponse<String> a =
                push(web, "/1/admin/push/private?key=idem-a&expire=600", "{\"k\":\"a\"}", idem);
        HttpResponse<String> b =
                push(web, "/1/admin/push/private?key=idem-b&expire=600", "{\"k\":\"b\"}", idem);
        assertThat(data(a).get("duplicate").asBoolean()).isFalse();
        assertThat(data(b).get("duplicate").asBoolean()).isFalse();
        assertThat(web.storedMids("idem-a")).hasSize(1);
        assertThat(web.storedMids("idem-b")).hasSize(1);
    }

    @Test
    void aRetryThroughAnotherWebNodeIsRecognised() throws Exception {
        String key = "idem-second-node";
        String idem = UUID.randomUUID().toString();
        try (TcpClient sub = subscribed(key)) {
            String mid = pushDelivered(sub, key, 600, idem);
            // The first answer was lost; the application server retries on another web node.
            HttpResponse<String> retry =
                    push(secondWeb, "/1/admin/push/private?key=" + key + "&expire=600", "{}", idem);
            assertThat(retry.body())
                    .isEqualTo("{\"data\":{\"duplicate\":true,\"mid\":\"" + mid + "\"},\"ret\":0}");
            nextFrameIsTheSentinel(sub, key);
            assertThat(web.storedMids(key)).hasSize(2);
        }
    }

    @Test
    void anOnlineOnlyPushIsRecognisedToo() throws Exception {
        String key = "idem-online";
        String idem = UUID.randomUUID().toString();
        try (TcpClient sub = subscribed(key)) {
            String mid = pushDelivered(sub, key, 0, idem);
            HttpResponse<String> retry =
                    push(web, "/1/admin/push/private?key=" + key + "&expire=0", "{}", idem);
            assertThat(data(retry).get("mid").asText()).isEqualTo(mid);
            nextFrameIsTheSentinel(sub, key);
        }
    }

    @Test
    void aMultiKeyPushRetriedStoresAndDeliversNothingTwice() throws Exception {
        String idem = UUID.randomUUID().toString();
        String body = "{\"m\":\"{\\\"multi\\\":1}\",\"k\":\"idem-m1,idem-m2\"}";
        try (TcpClient sub = subscribed("idem-m1")) {
            assertThat(push(web, "/1/admin/push/mprivate?expire=600", body, idem).body())
                    .isEqualTo("{\"ret\":0}");
            sub.readPush();
            assertThat(push(secondWeb, "/1/admin/push/mprivate?expire=600", body, idem).body())
                    .isEqualTo("{\"ret\":0}");
            nextFrameIsTheSentinel(sub, "idem-m1");
        }
        assertThat(web.storedMids("idem-m1")).hasSize(2); // the push and the sentinel
        assertThat(web.storedMids("idem-m2")).hasSize(1);
    }

    @Test
    void aMalformedKeyIsRefusedWith65534AndNothingIsStored() throws Exception {
        String key = "idem-bad";
        List<HttpResponse<String>> refused =
                List.of(
                        push(
                                web,
                                "/1/admin/push/private?key=" + key + "&expire=600",
                                "{}",
                                "x".repeat(256)),
                        push(
                                web,
                                "/1/admin/push/private?key="
                                        + key
                                        + "&expire=600&idempotency_key="
                                        + "y".repeat(256),
                                "{}",
                                null),
                        push(
                                web,
                                "/1/admin/push/private?key=" + key + "&expire=600&idempotency_key=",
                                "{}",
                                null),
                        push(
                                web,
                                "/1/admin/push/private?key="
                                        + key
                                        + "&expire=600&idempotency_key=%C3%A9",
                                "{}",
                                null),
                        push(
                                web,
                                "/1/admin/push/private?key="
                                        + key
                                        + "&expire=600&idempotency_key=a",
                                "{}",
                                "b"),
                        push(
                                web,
                                "/1/admin/push/mprivate?expire=600",
                                "{\"m\":\"{}\",\"k\":\"" + key + "\"}",
                                "z".repeat(256)));
        for (HttpResponse<String> answer : refused) {
            assertThat(answer.body()).isEqualTo("{\"ret\":65534}");
            assertThat(answer.headers().firstValue("X-Pushbase-Error"))
                    .get()
                    .asString()
                    .containsAnyOf("Idempotency-Key", "idempotency_key");
        }
        assertThat(refused.get(0).headers().firstValue("X-Pushbase-Error"))
                .hasValue("the Idempotency-Key header is 256 characters, at most 255 allowed");
        // 255 characters is the limit, and accepted.
        assertThat(
                        data(push(
                                        web,
                                        "/1/admin/push/private?key=idem-ok&expire=600",
                                        "{}",
                                        "x".repeat(255)))
                                .get("duplicate")
                                .asBoolean())
                .isFalse();
        assertThat(web.storedMids(key)).isEmpty();
    }

    @Test
    void aPushWithoutAKeyAnswersExactlyAsBefore() throws Exception {
        assertThat(push(web, "/1/admin/push/private?key=idem-none&expire=600", "{}", null).body())
                .isEqualTo("{\"ret\":0}");
        assertThat(push(web, "/admin/push?key=idem-none&expire=600", "{}", null).body())
                .isEqualTo("{\"ret\":0}");
        assertThat(web.storedMids("idem-none")).hasSize(2);
    }
}
