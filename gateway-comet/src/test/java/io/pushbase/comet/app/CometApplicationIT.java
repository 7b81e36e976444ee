package io.pushbase.comet.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.pushbase.comet.testing.CometTestCluster;
import io.pushbase.comet.testing.CometTestCluster.Comet;
import io.pushbase.comet.testing.TcpClient;
import io.pushbase.schema.comet.v1.CometPingRequest;
import io.pushbase.schema.comet.v1.PushReply;
import io.pushbase.store.StoredMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The comet as it ships ({@code comet.yml}) against real message nodes with real TCP and WebSocket
 * clients (see {@link CometTestCluster}); what is under test is the comet.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CometApplicationIT {
    private static final String NODE = "comet-it";
    private static CometTestCluster cluster;
    private static Comet leader;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new CometTestCluster(2);
        leader = cluster.startComet(NODE);
        awaitAdmitted(leader, "warm-up");
    }

    @AfterAll
    static void stopCluster() throws Exception {
        cluster.close();
    }

    /** Waits until the comet leads and owns keys (its TCP port admits subscriptions). */
    static void awaitAdmitted(Comet comet, String key) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        String last = "";
        while (System.currentTimeMillis() < deadline) {
            try (TcpClient client = TcpClient.subscribe(comet.tcp(), key, null, null)) {
                last = client.readLine();
                if (last.equals("+h\r\n")) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("comet never admitted a subscription; last reply " + last);
    }

    private static List<Long> storedMids(String key) throws Exception {
        return cluster.store().fetch(key, 0, 0).get(5, TimeUnit.SECONDS).stream()
                .map(StoredMessage::mid)
                .toList();
    }

    @Test
    @Order(1)
    void tcpAndWebSocketSubscribersGetAStoredPushEachInTheirFormat() throws Exception {
        try (TcpClient old = TcpClient.subscribe(leader.tcp(), "Terry-Mao", null, null)) {
            assertThat(old.readLine()).isEqualTo("+h\r\n");
            BlockingQueue<String> frames = new LinkedBlockingQueue<>();
            WebSocket ws =
                    HttpClient.newHttpClient()
                            .newWebSocketBuilder()
                            .buildAsync(
                                    URI.create(
                                            "ws://127.0.0.1:"
                                                    + leader.ws()
                                                    + "/sub?key=Terry-Mao&heartbeat=30&ver=1"),
                                    new WebSocket.Listener() {
                                        @Override
                                        public CompletionStage<?> onText(
                                                WebSocket w, CharSequence data, boolean last) {
                                            frames.add(data.toString());
                                            w.request(1);
                                            return null;
                                        }
                                    })
                            .get(10, TimeUnit.SECONDS);
            try {
                assertThat(frames.poll(10, TimeUnit.SECONDS)).isEqualTo("+h\r\n");

                PushReply reply = leader.push("Terry-Mao", "{\"test\":1}", 600);
                long mid = reply.getMid();

                assertThat(reply.getDelivered()).isEqualTo(2);
                assertThat(old.readPush())
                        .isEqualTo("{\"msg\":\"{\\\"test\\\":1}\",\"mid\":" + mid + ",\"gid\":0}");
                assertThat(frames.poll(10, TimeUnit.SECONDS))
                        .isEqualTo("{\"msg\":{\"test\":1},\"mid\":" + mid + ",\"gid\":0}");
                assertThat(cluster.store().fetch("Terry-Mao", 0, 0).get(5, TimeUnit.SECONDS))
                        .containsExactly(
                                new StoredMessage(
                                        mid, "{\"test\":1}".getBytes(StandardCharsets.UTF_8)));
            } finally {
                ws.abort();
            }
        }
    }

    @Test
    @Order(2)
    void pushesKeepSucceedingWhileAMessageNodeIsKilled() throws Exception {
        try (TcpClient client = TcpClient.subscribe(leader.tcp(), "steady", null, "1")) {
            assertThat(client.readLine()).isEqualTo("+h\r\n");
            List<Long> acknowledged = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                if (i == 20) {
                    // A hard death: the server drops everything, its registration stays.
                    cluster.messageServers().get(0).shutdownNow();
                }
                acknowledged.add(leader.push("steady", "{\"i\":" + i + "}", 600).getMid());
            }
            assertThat(acknowledged).isSorted().doesNotHaveDuplicates();
            List<Long> received = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                String json = client.readPush();
                assertThat(json).startsWith("{\"msg\":{\"i\":" + i + "},");
                received.add(Long.parseLong(json.replaceAll(".*\"mid\":(\\d+).*", "$1")));
            }
            assertThat(received).isEqualTo(acknowledged);
            assertThat(storedMids("steady")).isEqualTo(acknowledged);
        }
    }

    @Test
    @Order(3)
    void aStandbyWithTheSameNodeNameRefusesKeysThenTakesOverWhenTheLeaderStops() throws Exception {
        Comet standby = cluster.startComet(NODE);
        ManagedChannel channel = standby.channel();
        try {
            assertThat(standby.stub(channel).ping(CometPingRequest.getDefaultInstance()).getRole())
                    .isEqualTo("standby");
        } finally {
            channel.shutdownNow();
        }
        try (TcpClient refused = TcpClient.subscribe(standby.tcp(), "handover", null, null)) {
            assertThat(refused.readLine()).isEqualTo("-n\r\n");
        }
        long before = leader.push("handover", "{\"by\":\"leader\"}", 600).getMid();

        cluster.stop(leader);

        awaitAdmitted(standby, "handover");
        long after = standby.push("handover", "{\"by\":\"new leader\"}", 600).getMid();
        assertThat(after).isGreaterThan(before);
        assertThat(storedMids("handover")).containsExactly(before, after);
    }
}
