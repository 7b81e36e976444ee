package io.pushbase.comet.handler;

import static io.pushbase.comet.testing.WebSocketWire.clientFrame;
import static io.pushbase.comet.testing.WebSocketWire.clientText;
import static io.pushbase.comet.testing.WebSocketWire.parseFrames;
import static io.pushbase.comet.testing.WebSocketWire.parseResponse;
import static io.pushbase.comet.testing.WebSocketWire.upgrade;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.codahale.metrics.MetricRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import io.pushbase.comet.connection.ConnectionMetrics;
import io.pushbase.comet.connection.ConnectionSettings;
import io.pushbase.comet.replay.Replayer;
import io.pushbase.comet.subscription.Admission;
import io.pushbase.comet.subscription.Subscription;
import io.pushbase.comet.subscription.SubscriptionGate;
import io.pushbase.comet.testing.RecordingGate;
import io.pushbase.comet.testing.Replayers;
import io.pushbase.comet.testing.ScriptedHistory;
import io.pushbase.comet.testing.WebSocketWire;
import io.pushbase.comet.testing.WebSocketWire.Response;
import io.pushbase.comet.testing.Wire;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The WebSocket client protocol of docs/PROTOCOL.md sections 3 and 5 through the pipeline {@link
 * WebSocketInitializer} builds: raw handshake bytes in, raw frames out.
 */
class WebSocketPipelineTest {
    private static final String SUB = "/sub?key=Terry-Mao&heartbeat=30";
    private static final byte[] TEST_1 = "{\"test\":1}".getBytes(StandardCharsets.UTF_8);

    private final MetricRegistry registry = new MetricRegistry();
    private final ConnectionMetrics metrics = new ConnectionMetrics(registry, "comet.ws");
    private final MockTicker ticker = Ticker.newMockTicker();
    private final ScriptedHistory history = new ScriptedHistory();
    private final Replayer replayer = Replayers.over(history, 100, 32, registry);

    private EmbeddedChannel connect(SubscriptionGate gate) {
        return connect(ConnectionSettings.defaults(), gate);
    }

    private EmbeddedChannel connect(ConnectionSettings settings, SubscriptionGate gate) {
        return EmbeddedChannel.builder()
                .ticker(ticker)
                .handlers(new WebSocketInitializer(settings, gate, replayer, metrics))
                .build();
    }

    private long count(String name) {
        return registry.counter("comet.ws." + name).getCount();
    }

    private static Response response(EmbeddedChannel channel) {
        return parseResponse(Wire.outboundBytes(channel));
    }

    private static List<String> texts(EmbeddedChannel channel) {
        List<String> texts = new java.util.ArrayList<>();
        for (WebSocketWire.Frame frame : parseFrames(Wire.outboundBytes(channel))) {
            assertThat(frame.opcode()).as("%s", frame).isEqualTo(WebSocketWire.TEXT);
            texts.add(frame.text());
        }
        return texts;
    }

    @Test
    void aHandshakeWithoutOriginSubscribesWithOneTextFramePlusH() {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = connect(gate);

        channel.writeInbound(upgrade(SUB, null));

        Response response = response(channel);
        assertThat(response.status()).isEqualTo(101);
        assertThat(response.head())
                .containsIgnoringCase("Sec-WebSocket-Accept: " + WebSocketWire.ACCEPT);
        assertThat(response.texts()).containsExactly("+h\r\n");
        assertThat(gate.asked()).containsExactly(new Subscription("Terry-Mao", 30, "", ""));
        assertThat(channel.isOpen()).isTrue();
        assertThat(count("subscribed")).isEqualTo(1);
        assertFalse(channel.finish());
    }

    @Test
    void aHandshakeWithOriginIsAcceptedToo() {
        EmbeddedChannel channel = connect(RecordingGate.admitting());

        channel.writeInbound(upgrade(SUB, "https://anywhere.example"));

        assertThat(response(channel).texts()).containsExactly("+h\r\n");
        assertFalse(channel.finish());
    }

    @Test
    void tokenAndVersionComeFromTheQuery() {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = connect(gate);

        channel.writeInbound(upgrade("/sub?key=a%20b&heartbeat=60&token=t.k.n&ver=1.1", null));

        assertThat(response(channel).texts()).containsExactly("+h\r\n");
        assertThat(gate.asked()).containsExactly(new Subscription("a b", 60, "t.k.n", "1.1"));
        assertFalse(channel.finish());
    }

    @Test
    void anAllowListRefusesOtherOriginsButNotAMissingOne() {
        ConnectionSettings settings =
                ConnectionSettings.builder().allowedOrigins(Set.of("https://app.example")).build();

        EmbeddedChannel allowed = connect(settings, RecordingGate.admitting());
        allowed.writeInbound(upgrade(SUB, "https://app.example"));
        assertThat(response(allowed).texts()).containsExactly("+h\r\n");
        assertFalse(allowed.finish());

        EmbeddedChannel native_ = connect(settings, RecordingGate.admitting());
        native_.writeInbound(upgrade(SUB, null));
        assertThat(response(native_).texts()).containsExactly("+h\r\n");
        assertFalse(native_.finish());

        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel refused = connect(settings, gate);
        refused.writeInbound(upgrade(SUB, "https://evil.example"));
        Response response = response(refused);
        assertThat(response.status()).isEqualTo(403);
        assertThat(response.frames()).isEmpty();
        assertThat(refused.isOpen()).isFalse();
        assertThat(gate.asked()).isEmpty();
        assertFalse(refused.finish());
    }

    @Test
    void heartbeatsAreTextFramesAnsweredWithPlusH() {
        EmbeddedChannel channel = connect(RecordingGate.admitting());
        channel.writeInbound(upgrade(SUB, null));
        response(channel);

        channel.writeInbound(clientText("h"));
        channel.writeInbound(clientText("h"));

        assertThat(texts(channel)).containsExactly("+h\r\n", "+h\r\n");
        assertThat(channel.isOpen()).isTrue();
        assertFalse(channel.finish());
    }

    @Test
    void pingsAreAnsweredByTheProtocolAndDoNotCount() {
        EmbeddedChannel channel = connect(RecordingGate.admitting());
        channel.writeInbound(upgrade(SUB, null));
        response(channel);

        channel.writeInbound(clientFrame(WebSocketWire.PING, new byte[] {1, 2}));

        List<WebSocketWire.Frame> frames = parseFrames(Wire.outboundBytes(channel));
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0).opcode()).isEqualTo(WebSocketWire.PONG);
        assertThat(channel.isOpen()).isTrue();
        assertFalse(channel.finish());
    }

    @ParameterizedTest
    @ValueSource(strings = {"x", "hh", "H", "", "h\r\n"})
    void anyOtherTextAfterSubscribingClosesWithoutReply(String text) {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = connect(gate);
        channel.writeInbound(upgrade(SUB, null));
        response(channel);

        channel.writeInbound(clientText(text));

        assertThat(Wire.outboundBytes(channel)).isEmpty();
        assertThat(channel.isOpen()).isFalse();
        assertThat(gate.live()).isEmpty();
        assertThat(count("closed.badInput")).isEqualTo(1);
        assertFalse(channel.finish());
    }

    @Test
    void aBinaryHeartbeatClosesWithoutReply() {
        EmbeddedChannel channel = connect(RecordingGate.admitting());
        channel.writeInbound(upgrade(SUB, null));
        response(channel);

        channel.writeInbound(clientFrame(WebSocketWire.BINARY, new byte[] {'h'}));

        assertThat(Wire.outboundBytes(channel)).isEmpty();
        assertThat(channel.isOpen()).isFalse();
        assertFalse(channel.finish());
    }

    @Test
    void anOversizedFrameClosesWithoutAReply() {
        ConnectionSettings settings =
                ConnectionSettings.builder().maxWebSocketFramePayload(8).build();
        EmbeddedChannel channel = connect(settings, RecordingGate.admitting());
        channel.writeInbound(upgrade(SUB, null));
        response(channel);

        channel.writeInbound(clientText("hhhhhhhhh"));

        assertThat(Wire.outboundBytes(channel)).isEmpty();
        assertThat(channel.isOpen()).isFalse();
        assertThat(count("closed.badInput")).isEqualTo(1);
        assertFalse(channel.finish());
    }

    @Test
    void aFrameThatIsNotValidUtf8ClosesWithoutAReply() {
        EmbeddedChannel channel = connect(RecordingGate.admitting());
        channel.writeInbound(upgrade(SUB, null));
        response(channel);

        channel.writeInbound(clientFrame(WebSocketWire.TEXT, new byte[] {(byte) 0xc3}));

        assertThat(Wire.outboundBytes(channel)).isEmpty();
        assertThat(channel.isOpen()).isFalse();
        assertFalse(channel.finish());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(
            strings = {
                "/sub?heartbeat=30", // key missing
                "/sub?key=&heartbeat=30", // key empty
                "/sub?key=k", // heartbeat missing
                "/sub?key=k&heartbeat=", // heartbeat empty
                "/sub?key=k&heartbeat=abc", // not a number
                "/sub?key=k&heartbeat=29", // below the minimum
                "/sub?key=k&heartbeat=%zz", // not even a query string
                "/sub",
            })
    void badParametersAreATextFrameMinusPThenAPlainClose(String uri) {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = connect(gate);

        channel.writeInbound(upgrade(uri, null));

        Response response = response(channel);
        assertThat(response.status()).isEqualTo(101);
        // One text frame, CRLF inside, and no Close frame after it.
        assertThat(response.texts()).containsExactly("-p\r\n");
        assertThat(channel.isOpen()).isFalse();
        assertThat(gate.asked()).isEmpty();
        assertThat(count("rejected.param")).isEqualTo(1);
        assertFalse(channel.finish());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(
            strings = {
                "/sub?key=%ff%fe&heartbeat=30",
                "/sub?key=k%c3&heartbeat=30&ver=1",
                "/sub?key=%ed%a0%80&heartbeat=30&token=t",
                "/sub?key=%c0%af&heartbeat=30",
            })
    void keysThatAreNotUtf8AreMinusPThenAPlainCloseAndCounted(String uri) {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = connect(gate);

        channel.writeInbound(upgrade(uri, null));

        assertThat(response(channel).texts()).containsExactly("-p\r\n");
        assertThat(channel.isOpen()).isFalse();
        assertThat(gate.asked()).isEmpty();
        assertThat(count("rejected.key")).isEqualTo(1);
        assertThat(count("rejected.param")).isEqualTo(1);
        assertFalse(channel.finish());
    }

    @Test
    void keysOverTheLimitAreRefusedInBytesNotChars() {
        // 86 three-byte chars are 258 bytes; 85 and one ASCII char are 256.
        String tooLong = "%E9%8D%B5".repeat(86);
        String longest = "%E9%8D%B5".repeat(85) + "x";
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel refused = connect(gate);
        refused.writeInbound(upgrade("/sub?key=" + tooLong + "&heartbeat=30", null));
        assertThat(response(refused).texts()).containsExactly("-p\r\n");
        assertThat(count("rejected.key")).isEqualTo(1);
        assertFalse(refused.finish());

        EmbeddedChannel admitted = connect(gate);
        admitted.writeInbound(upgrade("/sub?key=" + longest + "&heartbeat=30", null));
        assertThat(response(admitted).texts()).containsExactly("+h\r\n");
        assertThat(gate.asked())
                .containsExactly(new Subscription("鍵".repeat(85) + "x", 30, "", ""));
        assertFalse(admitted.finish());
    }

    @ParameterizedTest
    @EnumSource(
            value = Admission.class,
            names = {"REJECT_AUTH", "REJECT_CHANNEL", "REJECT_NOT_OWNER"})
    void refusalsAreATextFrameThenAPlainClose(Admission refusal) {
        RecordingGate gate = new RecordingGate(refusal);
        EmbeddedChannel channel = connect(gate);

        channel.writeInbound(upgrade(SUB + "&token=bad", null));

        String expected =
                switch (refusal) {
                    case REJECT_AUTH -> "-a\r\n";
                    case REJECT_CHANNEL -> "-c\r\n";
                    case REJECT_NOT_OWNER -> "-n\r\n";
                    case OK -> throw new AssertionError();
                };
        assertThat(response(channel).texts()).containsExactly(expected);
        assertThat(channel.isOpen()).isFalse();
        assertThat(gate.live()).isEmpty();
        assertFalse(channel.finish());
    }

    @Test
    void pushesAreBareJsonTextFramesInTheClientsFormat() {
        RecordingGate oldGate = RecordingGate.admitting();
        EmbeddedChannel old = connect(oldGate);
        old.writeInbound(upgrade(SUB, null));
        response(old);
        oldGate.subscriber().deliver(17952546363411610L, TEST_1);
        assertThat(texts(old))
                .containsExactly(
                        "{\"msg\":\"{\\\"test\\\":1}\",\"mid\":17952546363411610,\"gid\":0}");
        assertFalse(old.finish());

        RecordingGate newGate = RecordingGate.admitting();
        EmbeddedChannel current = connect(newGate);
        current.writeInbound(upgrade(SUB + "&ver=1.0", null));
        response(current);
        newGate.subscriber().deliver(17952546403772882L, TEST_1);
        assertThat(texts(current))
                .containsExactly("{\"msg\":{\"test\":1},\"mid\":17952546403772882,\"gid\":0}");
        assertFalse(current.finish());

        // (Pushbase) ver=pushbase.1: the mid as a string, exact in JavaScript.
        RecordingGate exactGate = RecordingGate.admitting();
        EmbeddedChannel exact = connect(exactGate);
        exact.writeInbound(upgrade(SUB + "&ver=pushbase.1", null));
        assertThat(response(exact).texts()).containsExactly("+h\r\n");
        assertThat(exactGate.subscriber().subscription().version()).isEqualTo("pushbase.1");
        exactGate.subscriber().deliver(17952546403772883L, TEST_1);
        assertThat(texts(exact))
                .containsExactly("{\"msg\":{\"test\":1},\"mid\":\"17952546403772883\",\"gid\":0}");
        assertFalse(exact.finish());
    }

    @Test
    void aSubscribedConnectionIsClosedHeartbeatPlusFiveSecondsAfterItsLastInput() {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = connect(gate);
        channel.writeInbound(upgrade(SUB, null));
        response(channel);

        ticker.advance(34, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        channel.writeInbound(clientText("h"));
        ticker.advance(34, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isTrue();

        ticker.advance(1, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();

        assertThat(channel.isOpen()).isFalse();
        // The heartbeat's answer, and no Close frame.
        assertThat(texts(channel)).containsExactly("+h\r\n");
        assertThat(gate.live()).isEmpty();
        assertThat(count("closed.heartbeatTimeout")).isEqualTo(1);
        assertFalse(channel.finish());
    }

    @Test
    void aSilentConnectionIsClosedFiveSecondsAfterAccept() {
        EmbeddedChannel channel = connect(RecordingGate.admitting());

        ticker.advance(4999, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isTrue();
        ticker.advance(1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();

        assertThat(channel.isOpen()).isFalse();
        assertThat(Wire.outboundBytes(channel)).isEmpty();
        assertThat(count("closed.firstRequestTimeout")).isEqualTo(1);
        assertFalse(channel.finish());
    }

    @Test
    void otherPathsAreNotFound() {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = connect(gate);

        channel.writeInbound(Wire.bytes("GET /favicon.ico HTTP/1.1\r\nHost: x\r\n\r\n"));

        Response response = response(channel);
        assertThat(response.status()).isEqualTo(404);
        assertThat(response.frames()).isEmpty();
        assertThat(channel.isOpen()).isFalse();
        assertThat(gate.asked()).isEmpty();
        assertFalse(channel.finish());
    }

    @Test
    void aTooLongRequestLineIsABadRequest() {
        ConnectionSettings settings = ConnectionSettings.builder().maxHttpLineLength(64).build();
        EmbeddedChannel channel = connect(settings, RecordingGate.admitting());

        channel.writeInbound(upgrade("/sub?key=k&heartbeat=30&token=" + "t".repeat(100), null));

        assertThat(response(channel).status()).isEqualTo(400);
        assertThat(channel.isOpen()).isFalse();
        assertFalse(channel.finish());
    }

    @Test
    void aPlainGetOnTheSubscribePathIsRefused() {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = connect(gate);

        channel.writeInbound(Wire.bytes("GET " + SUB + " HTTP/1.1\r\nHost: x\r\n\r\n"));

        assertThat(response(channel).status()).isEqualTo(400);
        assertThat(channel.isOpen()).isFalse();
        assertThat(gate.asked()).isEmpty();
        assertFalse(channel.finish());
    }

    // --- since (Pushbase): resume on subscribe ---

    @Test
    void sinceInTheQueryResumesAfterThatMid() {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = connect(gate);

        channel.writeInbound(upgrade(SUB + "&ver=1&since=17952546363411610", null));
        channel.runPendingTasks();

        assertThat(response(channel).texts()).containsExactly("+h\r\n");
        assertThat(gate.asked())
                .containsExactly(
                        new Subscription(
                                "Terry-Mao", 30, "", "1", OptionalLong.of(17952546363411610L)));
        assertThat(history.fetches()).hasSize(1);
        assertThat(history.last().after()).isEqualTo(17952546363411610L);
        history.last().reply(17952546363411611L);
        channel.runPendingTasks();
        // The completeness answer is one text frame, the same text as on TCP, before the messages.
        assertThat(texts(channel))
                .containsExactly(
                        "+r complete\r\n",
                        "{\"msg\":{\"n\":17952546363411611},\"mid\":17952546363411611,\"gid\":0}");
        assertFalse(channel.finish());
    }

    /** In the new format, and (Pushbase) the exact one, whose mid is a string. */
    @ParameterizedTest(name = "ver={0}")
    @CsvSource({"1, 17952546363411616", "pushbase.1, \"17952546363411616\""})
    void aSinceBelowTheFloorIsAnsweredTruncatedInATextFrame(String ver, String renderedMid) {
        EmbeddedChannel channel = connect(RecordingGate.admitting());

        channel.writeInbound(upgrade(SUB + "&ver=" + ver + "&since=17952546363411610", null));
        channel.runPendingTasks();
        assertThat(response(channel).texts()).containsExactly("+h\r\n");
        history.last().replyWithFloor(17952546363411615L, 17952546363411616L);
        channel.runPendingTasks();

        assertThat(texts(channel))
                .containsExactly(
                        "+r truncated\r\n",
                        "{\"msg\":{\"n\":17952546363411616},\"mid\":"
                                + renderedMid
                                + ",\"gid\":0}");
        assertFalse(channel.finish());
    }

    @Test
    void anEmptyOrAbsentSinceIsNoResume() {
        for (String uri : new String[] {SUB, SUB + "&since=", SUB + "&since"}) {
            RecordingGate gate = RecordingGate.admitting();
            EmbeddedChannel channel = connect(gate);

            channel.writeInbound(upgrade(uri, null));
            channel.runPendingTasks();

            assertThat(response(channel).texts()).as(uri).containsExactly("+h\r\n");
            assertThat(gate.subscriber().subscription().since()).isEmpty();
            assertFalse(channel.finish());
        }
        assertThat(history.fetches()).isEmpty();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(
            strings = {
                "-1",
                "%2B1",
                "x",
                "1%20",
                "%D9%A3",
                "12345678901234567890",
                "9223372036854775808",
                "9223372036854775807", // in the future
            })
    void aBadSinceIsMinusPThenAPlainCloseAndCounted(String since) {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = connect(gate);

        channel.writeInbound(upgrade(SUB + "&since=" + since, null));

        assertThat(response(channel).texts()).containsExactly("-p\r\n");
        assertThat(channel.isOpen()).isFalse();
        assertThat(gate.asked()).isEmpty();
        assertThat(history.fetches()).isEmpty();
        assertThat(count("rejected.since")).isEqualTo(1);
        assertThat(count("rejected.param")).isEqualTo(1);
        assertFalse(channel.finish());
    }
}
