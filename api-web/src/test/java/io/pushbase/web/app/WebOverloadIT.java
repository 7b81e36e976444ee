package io.pushbase.web.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.ConfigOverride;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.pushbase.cluster.grpc.GrpcTransport;
import io.pushbase.cluster.ring.HashRing;
import io.pushbase.schema.comet.v1.CometServiceGrpc;
import io.pushbase.schema.comet.v1.PushManyReply;
import io.pushbase.schema.comet.v1.PushManyRequest;
import io.pushbase.schema.comet.v1.PushReply;
import io.pushbase.schema.comet.v1.PushRequest;
import io.pushbase.schema.comet.v1.PushRoomReply;
import io.pushbase.schema.comet.v1.PushRoomRequest;
import io.pushbase.web.testing.Rings;
import io.pushbase.web.testing.WebTestCluster;
import io.pushbase.web.testing.WebTestCluster.Web;
import java.io.IOException;
import java.net.InetSocketAddress;
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
 * the bound is free again. A comet's own bounds answer the same way through the web node: a second
 * comet, a gRPC stand-in answering every push {@code RESOURCE_EXHAUSTED} as a real comet at its
 * bounds does, owns other keys and rooms.
 */
class WebOverloadIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static WebTestCluster cluster;
    private static ServerSocket silentComet;
    private static final List<Socket> held = new CopyOnWriteArrayList<>();
    private static Web web;
    private static Server fullComet;
    private static final HashRing RING = Rings.of("silent", "full");

    /** A comet at its bounds: refuses every push and room push as the real one does then. */
    private static final class AtItsBounds extends CometServiceGrpc.CometServiceImplBase {
        @Override
        public void push(PushRequest req, StreamObserver<PushReply> out) {
            out.onError(
                    Status.RESOURCE_EXHAUSTED
                            .withDescription(
                                    "64 pushes are queued for key '"
                                            + req.getKey()
                                            + "' (push.maxQueuedPerKey)")
                            .asRuntimeException());
        }

        @Override
        public void pushMany(PushManyRequest req, StreamObserver<PushManyReply> out) {
            out.onError(
                    Status.RESOURCE_EXHAUSTED
                            .withDescription("the append batcher is full")
                            .asRuntimeException());
        }

        @Override
        public void pushRoom(PushRoomRequest req, StreamObserver<PushRoomReply> out) {
            out.onError(
                    Status.RESOURCE_EXHAUSTED
                            .withDescription("64 broadcasts are queued on this comet")
                            .asRuntimeException());
        }
    }

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
        fullComet =
                GrpcTransport.serverOn(new InetSocketAddress("127.0.0.1", 0))
                        .addService(new AtItsBounds())
                        .build()
                        .start();
        cluster.registerComet("full", fullComet.getPort());
        web =
                cluster.startWeb(
                        ConfigOverride.config(WebTestCluster.PREFIX, "api.maxPushesInFlight", "1"),
                        ConfigOverride.config(WebTestCluster.PREFIX, "comets.pushTimeout", "3s"));
        WebTestCluster.awaitRegisteredComet(web);
        // Until the web node sees the second comet, its ring sends every key to the silent one.
        // An online-only probe stores nothing either way; the full comet's answer is a 503.
        String probe = Rings.nameOn("probe", "full", RING);
        long deadline = System.currentTimeMillis() + 30_000;
        while (web.post("/1/admin/push/private?key=" + probe + "&expire=0", "{}").statusCode()
                != 503) {
            assertThat(System.currentTimeMillis()).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (silentComet != null) {
                silentComet.close();
            }
            if (fullComet != null) {
                fullComet.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
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
        String slow = Rings.nameOn("slow", "silent", RING);
        String refusedKey = Rings.nameOn("refused", "silent", RING);
        CompletableFuture<HttpResponse<String>> first =
                HTTP.sendAsync(
                        HttpRequest.newBuilder(
                                        URI.create(
                                                "http://127.0.0.1:"
                                                        + web.adminPort()
                                                        + "/1/admin/push/private?key="
                                                        + slow
                                                        + "&expire=600"))
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
                web.post("/1/admin/push/private?key=" + refusedKey + "&expire=600", "{\"n\":2}");
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
        assertThat(web.get("/1/msg/get?k=" + refusedKey + "&m=0").body()).isEqualTo("{\"ret\":0}");
        assertThat(web.get("/1/msg/get?k=" + slow + "&m=0").body()).contains("\"n\":1");
    }

    /**
     * A comet at its bounds answers as the web node's own bound does: an application server sees
     * one back-pressure signal (503, Retry-After) whichever node refused, and nothing is stored, so
     * its retry stores the push once.
     */
    @Test
    void aPushOrRoomPushACometRefusesAsOverloadedIs503WithRetryAfterAndNothingStored()
            throws Exception {
        String key = Rings.nameOn("busy", "full", RING);
        String room = Rings.nameOn("busy-room", "full", RING);
        long before = web.meter("web.push.comet.overloaded");

        HttpResponse<String> push =
                web.post("/1/admin/push/private?key=" + key + "&expire=600", "{\"n\":3}");
        HttpResponse<String> roomPush =
                web.post("/1/admin/push/room?room=" + room + "&expire=600", "{\"n\":4}");

        for (HttpResponse<String> refused : List.of(push, roomPush)) {
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(refused.body()).isEqualTo("{\"ret\":65535}");
            assertThat(refused.headers().firstValue("X-Pushbase-Error"))
                    .hasValueSatisfying(
                            p -> assertThat(p).contains("comet full", "RESOURCE_EXHAUSTED"));
        }
        assertThat(push.headers().firstValue("X-Pushbase-Error").orElseThrow())
                .contains("push.maxQueuedPerKey");
        assertThat(web.meter("web.push.comet.overloaded")).isEqualTo(before + 1);
        assertThat(web.meter("web.room.push.comet.overloaded")).isEqualTo(1);
        assertThat(web.get("/1/msg/get?k=" + key + "&m=0").body()).isEqualTo("{\"ret\":0}");
        assertThat(web.get("/1/room/msg/get?room=" + room + "&m=0").body())
                .isEqualTo("{\"ret\":0}");
        // A multi-key push lists the refused key as failed, with the usual 200.
        HttpResponse<String> many =
                web.post(
                        "/1/admin/push/mprivate?expire=600",
                        "{\"m\":\"{\\\"n\\\":5}\",\"k\":\"" + key + "\"}");
        assertThat(many.statusCode()).isEqualTo(200);
        assertThat(many.body()).isEqualTo("{\"data\":{\"fk\":[\"" + key + "\"]},\"ret\":0}");
    }
}
