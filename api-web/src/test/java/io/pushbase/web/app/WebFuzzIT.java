package io.pushbase.web.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pushbase.web.testing.WebTestCluster;
import io.pushbase.web.testing.WebTestCluster.Web;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzes every HTTP route of the web node over real sockets (issue 13): random methods, query
 * parameters (the routes' own names and others, with random, unicode, over-long, numeric and
 * negative values) and bodies (random bytes, JSON-ish text). Every answer must be a deliberate one
 * — never a 500, and a 200 always carries a JSON answer with an integer {@code ret} (or its JSONP
 * form) — and no request may affect others: after every try a lookup answers, and at the end a real
 * push is acknowledged and every health check passes. Bounded: 200 tries.
 */
class WebFuzzIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A client of its own for each fuzzed request, so each goes on a new connection: the server may
     * close a kept-alive connection after answering a request whose body it did not read (a POST to
     * a GET route, say), and a later POST that a shared client sent on that connection would fail
     * with no byte of an answer (a CI run saw "header parser received no bytes" on {@code POST
     * /1/time/get}, not reproducible with the same seed). The JDK client retries only idempotent
     * requests on such a connection; this property must see the answer to every request it sent.
     */
    private static HttpClient newClient() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** Route, and whether it is on the admin port. */
    private static final Map<String, Boolean> ROUTES =
            Map.ofEntries(
                    Map.entry("/1/server/get", false),
                    Map.entry("/2/server/get", false),
                    Map.entry("/server/get", false),
                    Map.entry("/1/msg/get", false),
                    Map.entry("/msg/get", false),
                    Map.entry("/1/time/get", false),
                    Map.entry("/time/get", false),
                    Map.entry("/1/admin/push/private", true),
                    Map.entry("/admin/push", true),
                    Map.entry("/1/admin/push/mprivate", true),
                    Map.entry("/1/admin/msg/del", true),
                    Map.entry("/admin/msg/clean", true),
                    Map.entry("/1/admin/token", true),
                    Map.entry("/1/admin/nodes", true),
                    Map.entry("/1/admin/key", true),
                    Map.entry("/1/admin/online", true),
                    Map.entry("/1/admin/online/total", true),
                    Map.entry("/1/admin/cursors", true),
                    Map.entry("/1/admin/acked", true),
                    // (issue 14) rooms
                    Map.entry("/1/admin/push/room", true),
                    Map.entry("/1/admin/room/online", true),
                    Map.entry("/1/room/msg/get", false));

    /** Statuses a route may answer on purpose; anything else (a 500 above all) is a defect. */
    private static final Set<Integer> DELIBERATE = Set.of(200, 400, 404, 405, 413, 414, 431, 503);

    private static WebTestCluster cluster;
    private static Web web;

    @BeforeContainer
    static void start() throws Exception {
        cluster = new WebTestCluster(1);
        cluster.comets().startComet("comet-fuzz");
        web = cluster.startWeb();
    }

    @AfterContainer
    static void stop() throws Exception {
        try {
            if (web != null) {
                assertThat(web.post("/1/admin/push/private?key=after-fuzz&expire=60", "{}").body())
                        .isEqualTo("{\"ret\":0}");
                HttpResponse<String> health =
                        web.send(web.adminPort(), "GET", "/healthcheck", null, null);
                assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    @Property(tries = 200)
    void everyAnswerIsDeliberateAndAffectsNoOtherRequest(
            @ForAll("routes") String route,
            @ForAll("methods") String method,
            @ForAll("queries") String query,
            @ForAll("bodies") byte[] body)
            throws Exception {
        int port = ROUTES.get(route) ? web.adminPort() : web.port();
        HttpRequest request =
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + route + "?" + query))
                        .timeout(Duration.ofSeconds(30))
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(body))
                        .build();
        HttpResponse<byte[]> answer =
                newClient().send(request, HttpResponse.BodyHandlers.ofByteArray());
        String what = method + " " + route + "?" + query;
        assertThat(DELIBERATE).as(what).contains(answer.statusCode());
        String type = answer.headers().firstValue("Content-Type").orElse("");
        if (answer.statusCode() == 200 && type.startsWith("application/json")) {
            JsonNode json = JSON.readTree(answer.body());
            assertThat(json.path("ret").isInt()).as(what + " -> " + json).isTrue();
        } else if (answer.statusCode() == 200 && type.startsWith("application/javascript")) {
            String script = new String(answer.body(), StandardCharsets.UTF_8);
            assertThat(script).as(what).matches("[A-Za-z_$][A-Za-z0-9_$.]*\\(\\{.*\\}\\)");
        }
        // Others are still served.
        assertThat(web.get("/1/time/get").body()).as("after " + what).contains("\"ret\":0");
    }

    @Provide
    Arbitrary<String> routes() {
        return Arbitraries.of(List.copyOf(ROUTES.keySet()));
    }

    @Provide
    Arbitrary<String> methods() {
        return Arbitraries.of("GET", "GET", "POST", "POST", "PUT", "DELETE");
    }

    @Provide
    Arbitrary<String> queries() {
        Arbitrary<String> name =
                Arbitraries.oneOf(
                        Arbitraries.of(
                                "k",
                                "key",
                                "p",
                                "proto",
                                "m",
                                "mid",
                                "t",
                                "token",
                                "cb",
                                "callback",
                                "expire",
                                "ttl"),
                        Arbitraries.strings().ofMaxLength(8));
        Arbitrary<String> value =
                Arbitraries.oneOf(
                        Arbitraries.strings().ofMaxLength(40),
                        Arbitraries.strings().withCharRange('\u0000', '\uffff').ofMaxLength(20),
                        Arbitraries.strings().alpha().ofLength(300),
                        Arbitraries.longs().map(Object::toString),
                        Arbitraries.of("0", "-1", "1", "2", "99999999999999999999", "1e3", ""));
        Arbitrary<String> pair = name.flatMap(n -> value.map(v -> encode(n) + "=" + encode(v)));
        return pair.list().ofMaxSize(5).map(pairs -> String.join("&", pairs));
    }

    @Provide
    Arbitrary<byte[]> bodies() {
        return Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(200),
                Arbitraries.of(
                                "{}",
                                "{\"m\":\"{}\",\"k\":\"a,b\"}",
                                "{\"m\":1,\"k\":[]}",
                                "[1,2",
                                "\"x\"",
                                "key=a&expire=1",
                                "\ufeff{}")
                        .map(s -> s.getBytes(StandardCharsets.UTF_8)));
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
