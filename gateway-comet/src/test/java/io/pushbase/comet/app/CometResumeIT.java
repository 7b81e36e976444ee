package io.pushbase.comet.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.dropwizard.testing.ConfigOverride;
import io.grpc.ManagedChannel;
import io.pushbase.comet.testing.CometTestCluster;
import io.pushbase.comet.testing.CometTestCluster.Comet;
import io.pushbase.comet.testing.TcpClient;
import io.pushbase.comet.testing.TextWebSocketClient;
import io.pushbase.comet.testing.Wire;
import io.pushbase.schema.comet.v1.CometServiceGrpc;
import io.pushbase.schema.comet.v1.PushRequest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Resume on subscribe (Pushbase's {@code since}) over real sockets: a real comet (the shipped
 * {@code comet.yml}, pages of {@value #PAGE} so that a resume takes several), real message nodes
 * over the in-memory store, and raw TCP and WebSocket clients. A client resuming after a mid gets
 * exactly the stored messages after it, in order, then live ones, without a duplicate; and while
 * pushes go on during its resume, every acknowledged push arrives exactly once, in mid order.
 */
class CometResumeIT {
    private static final int PAGE = 7;
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Pattern MID = Pattern.compile("\"mid\":(\\d+)");
    private static final Pattern N = Pattern.compile("\\{\"n\":(\\d+)}");

    private static CometTestCluster cluster;
    private static Comet comet;
    private static ManagedChannel grpc;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new CometTestCluster(2);
        comet =
                cluster.startComet(
                        "comet-resume",
                        ConfigOverride.config("clients.replay.pageSize", Integer.toString(PAGE)));
        CometApplicationIT.awaitAdmitted(comet, "warm-up");
        grpc = comet.channel();
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (grpc != null) {
            grpc.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        cluster.close();
    }

    /** A subscribed client (its {@code +h} read): the next pushed message's JSON, in order. */
    private interface Client extends AutoCloseable {
        String next() throws Exception;
    }

    private static Client tcp(String key, long since) throws Exception {
        return tcp(key, since, "+r complete\r\n");
    }

    /** A TCP client whose {@code +h} and completeness answer ({@code answer}) were read. */
    private static Client tcp(String key, long since, String answer) throws Exception {
        TcpClient client =
                TcpClient.send(comet.tcp(), Wire.request("sub", key, "30", "", "1", "" + since));
        assertThat(client.readLine()).isEqualTo("+h\r\n");
        assertThat(client.readLine()).as("the completeness answer").isEqualTo(answer);
        return new Client() {
            @Override
            public String next() throws Exception {
                return client.readPush();
            }

            @Override
            public void close() throws Exception {
                client.close();
            }
        };
    }

    private static Client webSocket(String key, long since) throws Exception {
        return webSocket(key, since, "+r complete\r\n");
    }

    /** A WebSocket client whose {@code +h} and completeness answer ({@code answer}) were read. */
    private static Client webSocket(String key, long since, String answer) throws Exception {
        TextWebSocketClient client =
                TextWebSocketClient.connect(
                        URI.create(
                                "ws://127.0.0.1:"
                                        + comet.ws()
                                        + "/sub?key="
                                        + key
                                        + "&heartbeat=30&ver=1&since="
                                        + since),
                        null,
                        WAIT);
        assertThat(client.nextText(WAIT)).isEqualTo("+h\r\n");
        assertThat(client.nextText(WAIT)).as("the completeness answer").isEqualTo(answer);
        return new Client() {
            @Override
            public String next() throws Exception {
                return client.nextText(WAIT);
            }

            @Override
            public void close() {
                client.close();
            }
        };
    }

    /** Pushes {@code {"n":n}} to {@code key}, stored for 10 minutes; its mid once acknowledged. */
    private static long push(String key, int n) {
        return CometServiceGrpc.newBlockingStub(grpc)
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .push(
                        PushRequest.newBuilder()
                                .setKey(key)
                                .setPayload(
                                        ByteString.copyFrom(
                                                "{\"n\":" + n + "}", StandardCharsets.UTF_8))
                                .setExpireSeconds(600)
                                .build())
                .getMid();
    }

    /** The mid of a message, checking its payload is the one pushed under it. */
    private static long midOf(String json, List<Long> pushed) {
        Matcher mid = MID.matcher(json);
        Matcher n = N.matcher(json);
        assertThat(mid.find()).as(json).isTrue();
        assertThat(n.find()).as(json).isTrue();
        long value = Long.parseLong(mid.group(1));
        assertThat(pushed.get(Integer.parseInt(n.group(1)))).as(json).isEqualTo(value);
        return value;
    }

    private static void storedThenLive(String key, boolean tcp) throws Exception {
        List<Long> pushed = new ArrayList<>();
        for (int n = 0; n < 40; n++) {
            pushed.add(push(key, n));
        }
        long since = pushed.get(14);

        try (Client client = tcp ? tcp(key, since) : webSocket(key, since)) {
            List<Long> received = new ArrayList<>();
            for (int i = 15; i < 40; i++) {
                received.add(midOf(client.next(), pushed));
            }
            assertThat(received).isEqualTo(pushed.subList(15, 40));

            for (int n = 40; n < 43; n++) {
                pushed.add(push(key, n));
            }
            for (int i = 40; i < 43; i++) {
                received.add(midOf(client.next(), pushed));
            }
            assertThat(received).isEqualTo(pushed.subList(15, 43));
        }
    }

    @Test
    void aTcpClientResumingAfterAMidGetsTheLaterStoredMessagesInOrderThenLiveOnes()
            throws Exception {
        storedThenLive("resume-tcp", true);
    }

    @Test
    void aWebSocketClientResumingAfterAMidGetsTheLaterStoredMessagesInOrderThenLiveOnes()
            throws Exception {
        storedThenLive("resume-ws", false);
    }

    @Test
    void aResumeFromBeforeWhatTheCapRemovedIsAnsweredTruncatedThenGetsWhatIsStored()
            throws Exception {
        String key = "resume-truncated";
        int total = 110; // the message nodes keep the newest 100
        List<Long> pushed = new ArrayList<>();
        for (int n = 0; n < total; n++) {
            pushed.add(push(key, n));
        }
        long since = pushed.get(2);
        try (Client tcp = tcp(key, since, "+r truncated\r\n");
                Client ws = webSocket(key, since, "+r truncated\r\n")) {
            for (Client client : List.of(tcp, ws)) {
                List<Long> received = new ArrayList<>();
                for (int i = total - 100; i < total; i++) {
                    received.add(midOf(client.next(), pushed));
                }
                assertThat(received).isEqualTo(pushed.subList(total - 100, total));
            }
        }
        // Right below the oldest one kept: nothing between is missing.
        try (Client tcp = tcp(key, pushed.get(total - 101))) {
            assertThat(midOf(tcp.next(), pushed)).isEqualTo(pushed.get(total - 100));
        }
        assertThat(comet.count("comet.replay.truncated")).isGreaterThanOrEqualTo(2);
    }

    @Test
    void everyPushAcknowledgedDuringResumesArrivesOnceInMidOrder() throws Exception {
        String key = "resume-racing";
        int total = 90; // below the message nodes' per-key cap (100): all of them stay readable
        List<Long> pushed = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> pushing =
                CompletableFuture.runAsync(
                        () -> {
                            for (int n = 0; n < total; n++) {
                                pushed.add(push(key, n));
                            }
                        });
        while (pushed.size() < 15) {
            Thread.sleep(1);
        }
        long since = pushed.get(4);

        try (Client tcp = tcp(key, since);
                Client ws = webSocket(key, since)) {
            pushing.get(60, TimeUnit.SECONDS);
            for (Client client : List.of(tcp, ws)) {
                List<Long> received = new ArrayList<>();
                for (int i = 5; i < total; i++) {
                    received.add(midOf(client.next(), pushed));
                }
                assertThat(received).isEqualTo(pushed.subList(5, total));
            }
            // Nothing after the last: one more push is the very next message.
            pushed.add(push(key, total));
            assertThat(midOf(tcp.next(), pushed)).isEqualTo(pushed.get(total));
            assertThat(midOf(ws.next(), pushed)).isEqualTo(pushed.get(total));
        }
        assertThat(comet.count("comet.replay.failures")).isZero();
        assertThat(comet.count("comet.replay.completed")).isGreaterThanOrEqualTo(2);
        // At least the ten stored before each client came were replayed, not pushed live.
        assertThat(comet.count("comet.replay.messages")).isGreaterThanOrEqualTo(20);
    }
}
