package io.pushbase.comet.handler;

import static io.pushbase.comet.testing.WebSocketWire.clientText;
import static io.pushbase.comet.testing.WebSocketWire.parseFrames;
import static io.pushbase.comet.testing.WebSocketWire.upgrade;
import static io.pushbase.comet.testing.Wire.EXAMPLE_SUB;
import static io.pushbase.comet.testing.Wire.bytes;
import static io.pushbase.comet.testing.Wire.outbound;
import static io.pushbase.comet.testing.Wire.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.codahale.metrics.MetricRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pushbase.comet.ack.AckBatcher;
import io.pushbase.comet.ack.AckMetrics;
import io.pushbase.comet.ack.Acks;
import io.pushbase.comet.connection.ConnectionMetrics;
import io.pushbase.comet.connection.ConnectionSettings;
import io.pushbase.comet.replay.Replayer;
import io.pushbase.comet.subscription.Admission;
import io.pushbase.comet.testing.RecordingGate;
import io.pushbase.comet.testing.Replayers;
import io.pushbase.comet.testing.ScriptedHistory;
import io.pushbase.comet.testing.WebSocketWire;
import io.pushbase.comet.testing.Wire;
import io.pushbase.schema.message.v1.AckEntry;
import io.pushbase.schema.message.v1.AckManyReply;
import io.pushbase.schema.message.v1.AckManyRequest;
import io.pushbase.schema.message.v1.AckOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * (Pushbase) Acknowledgements through the whole TCP and WebSocket pipelines (docs/PROTOCOL.md
 * "Acknowledgements"): the {@code ack} command after subscribing, coalescing in the batcher, what
 * reaches the message nodes, and every refusal with its reply and metric. The batcher's timer is
 * not started: tests send with {@link AckBatcher#flush()}; the rate bound's clock is a counter.
 */
class AckPipelineTest {
    private static final String KEY = "Terry-Mao";
    private static final String MID = "17952546363411610";

    private final MetricRegistry registry = new MetricRegistry();
    private final ConnectionMetrics tcpMetrics = new ConnectionMetrics(registry, "comet.tcp");
    private final ConnectionMetrics wsMetrics = new ConnectionMetrics(registry, "comet.ws");
    private final Replayer replayer = Replayers.over(new ScriptedHistory(), 100, 32, registry);
    private final AckMetrics ackMetrics = new AckMetrics(registry);
    private final AtomicLong nanos = new AtomicLong();
    private final List<AckManyRequest> sent = new ArrayList<>();

    /** How the message nodes answer each sent entry. */
    private Function<AckEntry, AckOutcome> answer =
            e ->
                    AckOutcome.newBuilder()
                            .setStatus(AckOutcome.Status.STORED)
                            .setCursor(e.getMid())
                            .build();

    private final AckBatcher batcher = batcher(100);

    private AckBatcher batcher(int maxPending) {
        return new AckBatcher(
                request -> {
                    sent.add(request);
                    AckManyReply.Builder reply = AckManyReply.newBuilder();
                    request.getEntriesList().forEach(e -> reply.addOutcomes(answer.apply(e)));
                    return CompletableFuture.completedFuture(reply.build());
                },
                maxPending,
                1000,
                100,
                4,
                ackMetrics);
    }

    /** What the HTTP route's gate answers (token and ownership). */
    private Admission gateAnswer = Admission.OK;

    private Acks acks(AckBatcher batcher, int maxPerSecond) {
        return new Acks(batcher, maxPerSecond, ackMetrics, (key, token) -> gateAnswer, nanos::get);
    }

    /** A TCP connection that has sent nothing yet. */
    private EmbeddedChannel tcpConnection(Acks acks) {
        return new EmbeddedChannel(
                new TcpInitializer(
                        ConnectionSettings.defaults(),
                        RecordingGate.admitting(),
                        replayer,
                        tcpMetrics,
                        acks));
    }

    /** A TCP connection subscribed to {@value #KEY}. */
    private EmbeddedChannel tcp(Acks acks) {
        EmbeddedChannel channel = tcpConnection(acks);
        channel.writeInbound(bytes(EXAMPLE_SUB));
        assertThat(outbound(channel)).isEqualTo("+h\r\n");
        return channel;
    }

    private EmbeddedChannel tcp() {
        return tcp(acks(batcher, 20));
    }

    /** A connection to the WebSocket listener (WebSocket, streams, {@code POST /ack}). */
    private EmbeddedChannel webConnection(Acks acks) {
        return new EmbeddedChannel(
                new WebSocketInitializer(
                        ConnectionSettings.defaults(),
                        RecordingGate.admitting(),
                        replayer,
                        wsMetrics,
                        new ConnectionMetrics(new MetricRegistry(), "comet.sse"),
                        acks));
    }

    /** A WebSocket subscribed to {@value #KEY}. */
    private EmbeddedChannel webSocket(Acks acks) {
        EmbeddedChannel channel = webConnection(acks);
        channel.writeInbound(upgrade("/sub?key=" + KEY + "&heartbeat=30", null));
        assertThat(WebSocketWire.parseResponse(Wire.outboundBytes(channel)).texts())
                .containsExactly("+h\r\n");
        return channel;
    }

    private static List<String> texts(EmbeddedChannel channel) {
        List<String> texts = new ArrayList<>();
        for (WebSocketWire.Frame frame : parseFrames(Wire.outboundBytes(channel))) {
            assertThat(frame.opcode()).isEqualTo(WebSocketWire.TEXT);
            texts.add(frame.text());
        }
        return texts;
    }

    private long counter(String name) {
        return registry.counter("comet.acks." + name).getCount();
    }

    private long meter(String name) {
        return registry.meter("comet.acks." + name).getCount();
    }

    private List<AckEntry> sentEntries() {
        return sent.stream().flatMap(r -> r.getEntriesList().stream()).toList();
    }

    /** The message nodes refuse every ack with {@code status} and this description. */
    private void refuseEvery(AckOutcome.Status status, Function<AckEntry, String> description) {
        answer =
                e ->
                        AckOutcome.newBuilder()
                                .setStatus(status)
                                .setDescription(description.apply(e))
                                .build();
    }

    /** Sends the waiting acks and runs what their answers queued on the connection's loop. */
    private void flushAndRun(EmbeddedChannel channel) {
        batcher.flush();
        channel.runPendingTasks();
    }

    private static void ack(EmbeddedChannel channel, String key, String device, String mid) {
        channel.writeInbound(bytes(request("ack", key, device, mid)));
    }

    private static void webSocketAck(
            EmbeddedChannel channel, String key, String device, String mid) {
        channel.writeInbound(clientText(request("ack", key, device, mid)));
    }

    /** The connection closed without a reply. */
    private static void assertClosedWithoutReply(EmbeddedChannel channel) {
        assertThat(outbound(channel)).isEmpty();
        assertThat(channel.isOpen()).isFalse();
    }

    private static AckEntry entry(String device, long mid) {
        return AckEntry.newBuilder().setKey(KEY).setDevice(device).setMid(mid).build();
    }

    // --- TCP ---

    @Test
    void anAckAfterSubscribingIsTakenWithoutAReplyAndReachesTheMessageNodes() {
        EmbeddedChannel channel = tcp();

        ack(channel, KEY, "phone-1", MID);

        assertThat(outbound(channel)).isEmpty();
        assertThat(channel.isOpen()).isTrue();
        assertThat(batcher.pending()).isEqualTo(1);
        batcher.flush();
        assertThat(sentEntries()).containsExactly(entry("phone-1", Long.parseLong(MID)));
        assertThat(meter("received")).isEqualTo(1);
        assertThat(meter("stored")).isEqualTo(1);
        assertThat(outbound(channel)).isEmpty();
        assertFalse(channel.finish());
    }

    @Test
    void acksOfOneDeviceCoalesceToTheLargestMidAndDevicesStayApart() {
        EmbeddedChannel channel = tcp();

        channel.writeInbound(
                bytes(
                        request("ack", KEY, "phone", "5")
                                + request("ack", KEY, "phone", "9")
                                + request("ack", KEY, "tablet", "3")
                                + request("ack", KEY, "phone", "7")));
        batcher.flush();

        assertThat(sentEntries()).containsExactly(entry("phone", 9), entry("tablet", 3));
        assertThat(meter("coalesced")).isEqualTo(2);
        assertThat(sent).hasSize(1);
        assertFalse(channel.finish());
    }

    @Test
    void heartbeatsAndAcksInterleaveEvenOneByteAtATime() {
        EmbeddedChannel channel = tcp();

        Wire.writeByteByByte(channel, "h" + request("ack", KEY, "phone", "42") + "hh");

        assertThat(outbound(channel)).isEqualTo("+h\r\n+h\r\n+h\r\n");
        assertThat(batcher.pending()).isEqualTo(1);
        assertThat(channel.isOpen()).isTrue();
        assertFalse(channel.finish());
    }

    static Stream<Arguments> badAcks() {
        return Stream.of(
                Arguments.of(
                        "another key",
                        "Other",
                        "phone",
                        "5",
                        "ack for another key than this connection's",
                        "key"),
                Arguments.of(
                        "a device id of 65 characters",
                        KEY,
                        "d".repeat(65),
                        "5",
                        "device id is 65 characters, at most 64",
                        "device"),
                Arguments.of(
                        "a space in the device id",
                        KEY,
                        "a b",
                        "5",
                        "device id has character U+0020 at 1; allowed: A-Z a-z 0-9 . _ : -",
                        "device"),
                Arguments.of(
                        "a mid with a letter",
                        KEY,
                        "phone",
                        "12x",
                        "mid must be a decimal int64 above 0: \"12x\"",
                        "param"),
                Arguments.of(
                        "mid 0",
                        KEY,
                        "phone",
                        "0",
                        "mid must be a decimal int64 above 0: \"0\"",
                        "param"),
                Arguments.of(
                        "a mid beyond int64",
                        KEY,
                        "phone",
                        "9223372036854775808",
                        "mid must be a decimal int64 above 0: \"9223372036854775808\"",
                        "param"),
                Arguments.of(
                        "a signed mid",
                        KEY,
                        "phone",
                        "+5",
                        "mid must be a decimal int64 above 0: \"+5\"",
                        "param"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badAcks")
    void aBadAckIsAnsweredWithItsProblemCountedAndTheConnectionStaysOpen(
            String name, String key, String device, String mid, String problem, String rule) {
        EmbeddedChannel channel = tcp();

        ack(channel, key, device, mid);

        assertThat(outbound(channel)).isEqualTo("-k " + problem + "\r\n");
        assertThat(counter("rejected." + rule)).isEqualTo(1);
        assertThat(channel.isOpen()).isTrue();
        assertThat(batcher.pending()).isZero();
        // The connection goes on: heartbeats and a good ack.
        channel.writeInbound(bytes("h" + request("ack", KEY, "phone", "5")));
        assertThat(outbound(channel)).isEqualTo("+h\r\n");
        assertThat(batcher.pending()).isEqualTo(1);
        assertFalse(channel.finish());
    }

    @Test
    void anAckWithTheWrongArgumentCountIsRefused() {
        EmbeddedChannel channel = tcp();

        channel.writeInbound(bytes(request("ack", KEY, "phone")));

        assertThat(outbound(channel))
                .isEqualTo("-k ack takes 3 arguments (key, device, mid), got 2\r\n");
        assertThat(counter("rejected.param")).isEqualTo(1);
        assertFalse(channel.finish());
    }

    @Test
    void aConnectionAckingFasterThanAllowedIsAnsweredAndClosed() {
        EmbeddedChannel channel = tcp(acks(batcher, 3));

        for (int i = 1; i <= 3; i++) {
            ack(channel, KEY, "phone", Integer.toString(i));
        }
        assertThat(outbound(channel)).isEmpty();
        // A second later the bucket is full again: three more pass, the fourth does not.
        nanos.addAndGet(1_000_000_000L);
        for (int i = 4; i <= 6; i++) {
            ack(channel, KEY, "phone", Integer.toString(i));
        }
        assertThat(channel.isOpen()).isTrue();
        ack(channel, KEY, "phone", "7");

        assertThat(outbound(channel)).isEqualTo("-k too many acks: at most 3 a second\r\n");
        assertThat(channel.isOpen()).isFalse();
        assertThat(counter("rejected.flood")).isEqualTo(1);
        assertThat(meter("received")).isEqualTo(6);
        assertFalse(channel.finish());
    }

    @Test
    void aFloodInOneReadIsRefusedOnceAndNothingAfterItIsTaken() {
        EmbeddedChannel channel = tcp(acks(batcher, 3));
        StringBuilder burst = new StringBuilder();
        for (int i = 1; i <= 10; i++) {
            burst.append(request("ack", KEY, "phone", Integer.toString(i)));
        }

        channel.writeInbound(bytes(burst.toString()));

        assertThat(outbound(channel)).isEqualTo("-k too many acks: at most 3 a second\r\n");
        assertThat(channel.isOpen()).isFalse();
        assertThat(counter("rejected.flood")).isEqualTo(1);
        assertThat(meter("received")).isEqualTo(3);
        batcher.flush();
        assertThat(sentEntries()).containsExactly(entry("phone", 3));
        assertFalse(channel.finish());
    }

    @Test
    void aMessageNodesRefusalReachesTheConnectionThatAcked() {
        refuseEvery(
                AckOutcome.Status.NOT_ISSUED,
                e -> "mid " + e.getMid() + " was never issued: above the key's head 50");
        EmbeddedChannel channel = tcp();

        ack(channel, KEY, "phone", "99");
        flushAndRun(channel);

        assertThat(outbound(channel))
                .isEqualTo("-k mid 99 was never issued: above the key's head 50\r\n");
        assertThat(meter("notIssued")).isEqualTo(1);
        assertThat(channel.isOpen()).isTrue();
        assertFalse(channel.finish());
    }

    @Test
    void tooManyDevicesIsTheMessageNodesRefusalToo() {
        refuseEvery(
                AckOutcome.Status.TOO_MANY_DEVICES,
                e -> "the key has 32 devices, the most allowed");
        EmbeddedChannel channel = tcp();

        ack(channel, KEY, "device-33", "9");
        flushAndRun(channel);

        assertThat(outbound(channel)).isEqualTo("-k the key has 32 devices, the most allowed\r\n");
        assertThat(meter("tooManyDevices")).isEqualTo(1);
        assertFalse(channel.finish());
    }

    @Test
    void aFullBatcherRefusesANewPairButStillCoalescesAWaitingOne() {
        AckBatcher small = batcher(1);
        EmbeddedChannel channel = tcp(acks(small, 20));

        ack(channel, KEY, "phone", "5");
        ack(channel, KEY, "tablet", "5");
        assertThat(outbound(channel))
                .isEqualTo("-k busy: acks are waiting on this comet, ack again later\r\n");
        ack(channel, KEY, "phone", "6");

        assertThat(outbound(channel)).isEmpty();
        assertThat(counter("rejected.queueFull")).isEqualTo(1);
        small.flush();
        assertThat(sentEntries()).containsExactly(entry("phone", 6));
        assertFalse(channel.finish());
    }

    @Test
    void anUnknownCommandAfterSubscribingClosesWithoutAReply() {
        EmbeddedChannel channel = tcp();

        channel.writeInbound(bytes(request("sub", KEY, "30")));

        assertClosedWithoutReply(channel);
        assertThat(registry.counter("comet.tcp.closed.badInput").getCount()).isEqualTo(1);
        assertFalse(channel.finish());
    }

    @Test
    void withoutAcksAnAckClosesTheConnectionAsAnyCommandDidBefore() {
        EmbeddedChannel channel = tcp(Acks.off());

        ack(channel, KEY, "phone", "5");

        assertClosedWithoutReply(channel);
        assertThat(registry.counter("comet.tcp.closed.badInput").getCount()).isEqualTo(1);
        assertFalse(channel.finish());
    }

    @Test
    void aBrokenRequestAfterSubscribingClosesWithoutAReply() {
        EmbeddedChannel channel = tcp();

        channel.writeInbound(bytes("*4\r\n$3\r\nack\r\nX"));

        assertClosedWithoutReply(channel);
        assertThat(batcher.pending()).isZero();
        assertFalse(channel.finish());
    }

    @Test
    void anAckAsTheFirstRequestIsAnUnknownCommand() {
        EmbeddedChannel channel = tcpConnection(acks(batcher, 20));

        ack(channel, KEY, "phone", "5");

        assertThat(outbound(channel)).isEqualTo("-p\r\n");
        assertThat(channel.isOpen()).isFalse();
        assertThat(batcher.pending()).isZero();
        assertFalse(channel.finish());
    }

    // --- WebSocket ---

    @Test
    void aWebSocketAckIsOneTextFrameHoldingTheSameRequest() {
        EmbeddedChannel channel = webSocket(acks(batcher, 20));

        webSocketAck(channel, KEY, "browser-1", MID);
        channel.writeInbound(clientText("h"));

        assertThat(texts(channel)).containsExactly("+h\r\n");
        batcher.flush();
        assertThat(sentEntries()).containsExactly(entry("browser-1", Long.parseLong(MID)));
        assertThat(channel.isOpen()).isTrue();
        assertFalse(channel.finish());
    }

    @Test
    void aBadWebSocketAckIsAnsweredInATextFrame() {
        EmbeddedChannel channel = webSocket(acks(batcher, 20));

        webSocketAck(channel, "Other", "browser-1", "5");

        assertThat(texts(channel))
                .containsExactly("-k ack for another key than this connection's\r\n");
        assertThat(counter("rejected.key")).isEqualTo(1);
        assertThat(channel.isOpen()).isTrue();
        assertFalse(channel.finish());
    }

    @Test
    void aMessageNodesRefusalReachesAWebSocketAsATextFrame() {
        refuseEvery(
                AckOutcome.Status.NOT_ISSUED,
                e -> "mid 5 was never issued: the key has no messages");
        EmbeddedChannel channel = webSocket(acks(batcher, 20));

        webSocketAck(channel, KEY, "browser-1", "5");
        flushAndRun(channel);

        assertThat(texts(channel))
                .containsExactly("-k mid 5 was never issued: the key has no messages\r\n");
        assertFalse(channel.finish());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "two requests in one frame|2",
                "an incomplete request|1",
                "a request followed by a heartbeat|3",
            })
    void aTextFrameThatIsNotExactlyOneRequestCloses(String name, int shape) {
        EmbeddedChannel channel = webSocket(acks(batcher, 20));
        String ack = request("ack", KEY, "browser-1", "5");
        String text =
                switch (shape) {
                    case 1 -> ack.substring(0, ack.length() - 3);
                    case 2 -> ack + ack;
                    default -> ack + "h";
                };

        channel.writeInbound(clientText(text));

        assertThat(texts(channel)).isEmpty();
        assertThat(channel.isOpen()).isFalse();
        assertThat(batcher.pending()).isZero();
        assertFalse(channel.finish());
    }

    // --- HTTP (for Server-Sent Events clients) ---

    private EmbeddedChannel http(String method, String pathAndQuery) {
        EmbeddedChannel channel = webConnection(acks(batcher, 20));
        channel.writeInbound(
                bytes(
                        method
                                + " "
                                + pathAndQuery
                                + " HTTP/1.1\r\nHost: comet.example\r\nOrigin: https://app.example"
                                + "\r\nContent-Length: 0\r\n\r\n"));
        return channel;
    }

    @Test
    void anAckOverHttpIsTakenAndAnswered202ThenClosed() {
        EmbeddedChannel channel =
                http("POST", "/ack?key=" + KEY + "&device=browser-1&mid=" + MID + "&token=t");

        String response = outbound(channel);
        assertThat(response).startsWith("HTTP/1.1 202 Accepted\r\n");
        assertThat(response).contains("access-control-allow-origin: https://app.example");
        assertThat(channel.isOpen()).isFalse();
        batcher.flush();
        assertThat(sentEntries()).containsExactly(entry("browser-1", Long.parseLong(MID)));
        assertFalse(channel.finish());
    }

    static Stream<Arguments> badHttpAcks() {
        return Stream.of(
                Arguments.of(
                        "GET", "/ack?key=k&device=d&mid=5", "405 Method Not Allowed", "only POST"),
                Arguments.of(
                        "POST",
                        "/ack?device=d&mid=5",
                        "400 Bad Request",
                        "-k key must not be empty"),
                Arguments.of(
                        "POST",
                        "/ack?key=k&device=a%20b&mid=5",
                        "400 Bad Request",
                        "-k device id has character U+0020 at 1; allowed: A-Z a-z 0-9 . _ : -"),
                Arguments.of(
                        "POST",
                        "/ack?key=k&device=d&mid=-5",
                        "400 Bad Request",
                        "-k mid must be a decimal int64 above 0: \"-5\""),
                Arguments.of(
                        "POST",
                        "/ack?key=k&device=d",
                        "400 Bad Request",
                        "-k mid must be a decimal int64 above 0: \"\""));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("badHttpAcks")
    void aBadAckOverHttpIsRefusedWithItsProblem(
            String method, String path, String status, String body) {
        EmbeddedChannel channel = http(method, path);

        String response = outbound(channel);
        assertThat(response).startsWith("HTTP/1.1 " + status + "\r\n").endsWith(body + "\n");
        assertThat(channel.isOpen()).isFalse();
        assertThat(batcher.pending()).isZero();
        assertFalse(channel.finish());
    }

    @Test
    void anAckOverHttpWithoutAValidTokenOrForAnotherCometsKeyIsRefused() {
        gateAnswer = Admission.REJECT_AUTH;
        EmbeddedChannel refused = http("POST", "/ack?key=k&device=d&mid=5");
        assertThat(outbound(refused))
                .startsWith("HTTP/1.1 403 Forbidden\r\n")
                .endsWith("-a token rejected\n");
        assertFalse(refused.finish());

        gateAnswer = Admission.REJECT_NOT_OWNER;
        EmbeddedChannel elsewhere = http("POST", "/ack?key=k&device=d&mid=5");
        assertThat(outbound(elsewhere)).startsWith("HTTP/1.1 409 Conflict\r\n");
        assertThat(batcher.pending()).isZero();
        assertFalse(elsewhere.finish());
    }

    @Test
    void withoutAcksTheAckPathIsNotFound() {
        EmbeddedChannel channel = webConnection(Acks.off());
        channel.writeInbound(
                bytes("POST /ack?key=k&device=d&mid=5 HTTP/1.1\r\nContent-Length: 0\r\n\r\n"));

        assertThat(outbound(channel)).startsWith("HTTP/1.1 404 Not Found\r\n");
        assertFalse(channel.finish());
    }
}
