package io.pushbase.web.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.ConfigOverride;
import io.pushbase.web.testing.WebTestCluster;
import io.pushbase.web.testing.WebTestCluster.Web;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Back-pressure on the admin push routes ({@code api.maxPushesInFlight}, here 1): while one push is
 * in progress (its comet accepts the connection and never answers, so the push waits for {@code
 * comets.pushTimeout} and is then stored by the web node), the next is answered at once with 503,
 * {@code Retry-After: 1} and {@code ret 65535} — nothing stored — and once the first is answered
 * the bound is free again.
 */
class WebOverloadIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static WebTestCluster cluster;
    private static ServerSocket silentComet;
    private static final List<Socket> held = new CopyOnWriteArrayList<>();
    private static Web web;

    @BeforeAll
    static void start() throws Exception {
        cluster = new WebTestCluster(1);
        silentComet = new ServerSocket(0);
        Thread acceptor =
                new Thread(
                        () -> {
                            try {
                                while (true) {
                                    held.add(silentComet.accept()); // read nothing, answer nothing
                                }
                            } catch (IOException closed) {
                                // the test is over
                            }
                        },
                        "silent-comet");
        acceptor.setDaemon(true);
        acceptor.start();
        cluster.registerComet("silent", silentComet.getLocalPort());
        web =
                cluster.startWeb(
                        ConfigOverride.config(WebTestCluster.PREFIX, "api.maxPushesInFlight", "1"),
                        ConfigOverride.config(WebTestCluster.PREFIX, "comets.pushTimeout", "3s"));
        WebTestCluster.awaitRegisteredComet(web);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (silentComet != null) {
                silentComet.close();
            }
            for (Socket s : held) {
                s.close();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    private static JsonNode metrics() throws Exception {
        return JSON.readTree(web.send(web.adminPort(), "GET", "/metrics", null, null).body());
    }

    private static int inFlight() throws Exception {
        return metrics().get("gauges").get("web.push.inFlight").get("value").asInt();
    }

    @Test
    void aPushOverTheBoundIsRefusedAtOnceWith503AndRetryAfterAndNothingStored() throws Exception {
        CompletableFuture<HttpResponse<String>> first =
                HTTP.sendAsync(
                        HttpRequest.newBuilder(
                                        URI.create(
                                                "http://127.0.0.1:"
                                                        + web.adminPort()
                                                        + "/1/admin/push/private?key=slow&expire=600"))
                                .timeout(Duration.ofSeconds(30))
                                .POST(HttpRequest.BodyPublishers.ofString("{\"n\":1}"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        long deadline = System.currentTimeMillis() + 10_000;
        while (inFlight() != 1) {
            assertThat(System.currentTimeMillis()).isLessThan(deadline);
            Thread.sleep(20);
        }

        long sent = System.nanoTime();
        HttpResponse<String> refused =
                web.post("/1/admin/push/private?key=refused&expire=600", "{\"n\":2}");
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
        System.out.printf("overloaded push answered in %d ms%n", tookMillis);
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(refused.headers().firstValue("X-Pushbase-Error"))
                .hasValueSatisfying(p -> assertThat(p).contains("api.maxPushesInFlight"));
        assertThat(refused.body()).isEqualTo("{\"ret\":65535}");
        assertThat(tookMillis).as("answered at once, not after the first push").isLessThan(2_000);
        assertThat(metrics().get("meters").get("web.push.overloaded").get("count").asLong())
                .isEqualTo(1);
        assertThat(first).isNotDone();

        HttpResponse<String> firstAnswer = first.get(30, TimeUnit.SECONDS);
        assertThat(firstAnswer.statusCode()).isEqualTo(200);
        assertThat(firstAnswer.body()).isEqualTo("{\"ret\":0}"); // stored by the web node
        assertThat(inFlight()).isZero();
        assertThat(web.get("/1/msg/get?k=refused&m=0").body()).isEqualTo("{\"ret\":0}");
        assertThat(web.get("/1/msg/get?k=slow&m=0").body()).contains("\"n\":1");
    }
}
