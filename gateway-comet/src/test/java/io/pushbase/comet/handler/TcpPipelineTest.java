package io.pushbase.comet.handler;

import static io.pushbase.comet.testing.Wire.EXAMPLE_SUB;
import static io.pushbase.comet.testing.Wire.bytes;
import static io.pushbase.comet.testing.Wire.outbound;
import static io.pushbase.comet.testing.Wire.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.codahale.metrics.MetricRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import io.pushbase.comet.codec.CommandDecoder;
import io.pushbase.comet.connection.ConnectionMetrics;
import io.pushbase.comet.connection.ConnectionSettings;
import io.pushbase.comet.replay.Replayer;
import io.pushbase.comet.replay.ResumingSubscriber;
import io.pushbase.comet.subscription.Admission;
import io.pushbase.comet.subscription.Subscriber;
import io.pushbase.comet.subscription.Subscription;
import io.pushbase.comet.subscription.SubscriptionGate;
import io.pushbase.comet.testing.RecordingGate;
import io.pushbase.comet.testing.Replayers;
import io.pushbase.comet.testing.ScriptedHistory;
import io.pushbase.comet.testing.StallingOutbound;
import io.pushbase.comet.testing.Wire;
import io.pushbase.schema.client.MidClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The TCP client protocol of docs/PROTOCOL.md sections 3 and 5, byte for byte, through the whole
 * pipeline {@link TcpInitializer} builds. Time is a mock ticker: no test sleeps.
 */
class TcpPipelineTest {
    private static final byte[] TEST_1 = "{\"test\":1}".getBytes(StandardCharsets.UTF_8);

    private final MetricRegistry registry = new MetricRegistry();
    private final ConnectionMetrics metrics = new ConnectionMetrics(registry, "comet.tcp");
    private final MockTicker ticker = Ticker.newMockTicker();
    private final ScriptedHistory history = new ScriptedHistory();
    private final Replayer replayer = Replayers.over(history, 100, 32, registry);

    private EmbeddedChannel connect(SubscriptionGate gate) {
        return connect(ConnectionSettings.defaults(), gate);
    }

    private EmbeddedChannel connect(ConnectionSettings settings, SubscriptionGate gate) {
        return EmbeddedChannel.builder()
                .ticker(ticker)
                .handlers(new TcpInitializer(settings, gate, replayer, metrics))
                .build();
    }

    private long count(String name) {
        return registry.counter("comet.tcp." + name).getCount();
    }

    // --- subscribe ---

    @Test
    void theProtocolExampleIsAnsweredWithPlusH() {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = connect(gate);

        channel.writeInbound(bytes(EXAMPLE_SUB));

        assertThat(outbound(channel)).isEqualTo("+h\r\n");
        assertThat(channel.isOpen()).isTrue();
        assertThat(gate.asked()).containsExactly(new Subscription("Terry-Mao", 30, "", ""));
        assertThat(count("subscribed")).isEqualTo(1);
        assertThat(channel.pipeline().get(CommandDecoder.class)).isNotNull();
        assertThat(channel.pipeline().get(SubscribeHandler.class)).isNull();
        assertThat(channel.pipeline().get(FirstRequestTimeoutHandler.class)).isNull();
        assertFalse(channel.finish());
    }

    @Test
    void aSubWithAVersionButNoTokenSendsAnEmptyFourthArgument() {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = connect(gate);

        channel.writeInbound(
                bytes("*5\r\n$3\r\nsub\r\n$9\r\nTerry-Mao\r\n$2\r\n30\r\n$0\r\n\r\n$3\r\n1.0\r\n"));

        assertThat(outbound(channel)).isEqualTo("+h\r\n");
        Subscription subscription = gate.subscriber().subscription();
        assertThat(subscription.token()).isEmpty();
        assertThat(subscription.hasToken()).isFalse();
        assertThat(subscription.version()).isEqualTo("1.0");
        assertFalse(channel.finish());
    }

    @Test
    void theTokenReachesTheGate() {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = connect(gate);

        channel.writeInbound(bytes(request("sub", "k", "60", "eyJ.token.sig")));

        assertThat(outbound(channel)).isEqualTo("+h\r\n");
        assertThat(gate.asked()).containsExactly(new Subscription("k", 60, "eyJ.token.sig", ""));
        assertFalse(channel.finish());
    }

    @Test
    void aSubscriptionArrivingOneByteAtATimeWorks() {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = connect(gate);

        Wire.writeByteByByte(channel, EXAMPLE_SUB + "hh");

        assertThat(outbound(channel)).isEqualTo("+h\r\n+h\r\n+h\r\n");
        assertThat(channel.isOpen()).isTrue();
        assertFalse(channel.finish());
    }

    @Test
    void aSubscriptionSplitAtEveryPositionWorks() {
        String wire = EXAMPLE_SUB + "h";
        for (int split = 1; split < wire.length(); split++) {
            EmbeddedChannel channel = connect(RecordingGate.admitting());

            channel.writeInbound(bytes(wire.substring(0, split)));
            channel.writeInbound(bytes(wire.substring(split)));

            assertThat(outbound(channel)).as("split at %d", split).isEqualTo("+h\r\n+h\r\n");
            assertFalse(channel.finish());
        }
    }

    // --- heartbeats ---

    @Test
    void eachHeartbeatIsAnswered() {
        EmbeddedChannel channel = connect(RecordingGate.admitting());
        channel.writeInbound(bytes(EXAMPLE_SUB));
        assertThat(outbound(channel)).isEqualTo("+h\r\n");

        channel.writeInbound(bytes("h"));
        assertThat(outbound(channel)).isEqualTo("+h\r\n");

        channel.writeInbound(bytes("hh"));
        assertThat(outbound(channel)).isEqualTo("+h\r\n+h\r\n");
        assertFalse(channel.finish());
    }

    @Test
    void heartbeatsInTheSamePacketAsTheSubAreAnsweredAfterPlusH() {
        EmbeddedChannel channel = connect(RecordingGate.admitting());

        channel.writeInbound(bytes(EXAMPLE_SUB + "hh"));

        assertThat(outbound(channel)).isEqualTo("+h\r\n+h\r\n+h\r\n");
        assertFalse(channel.finish());
    }

    @ParameterizedTest
    @ValueSource(strings = {"x", "H", "\r\n", " ", "*x", "$3\r\n", "hx", "h\n"})
    void anyByteOtherThanHAfterSubscribingClosesWithoutReply(String input) {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = connect(gate);
        channel.writeInbound(bytes(EXAMPLE_SUB));
        assertThat(outbound(channel)).isEqualTo("+h\r\n");

        channel.writeInbound(bytes(input));

        // Heartbeats before the bad byte are still answered; nothing else is.
        assertThat(outbound(channel)).isEqualTo(input.startsWith("h") ? "+h\r\n" : "");
        assertThat(channel.isOpen()).isFalse();
        assertThat(gate.live()).isEmpty();
        assertThat(count("closed.badInput")).isEqualTo(1);
        assertFalse(channel.finish());
    }

    @Test
    void aClientThatDoesNotReadHeartbeatRepliesIsClosed() {
        EmbeddedChannel channel = connect(RecordingGate.admitting());
        channel.writeInbound(bytes(EXAMPLE_SUB));
        outbound(channel);
        StallingOutbound socket = new StallingOutbound();
        channel.pipeline().addFirst(socket);

        for (int i = 0; i < HeartbeatHandler.MAX_PENDING_REPLIES; i++) {
            channel.writeInbound(bytes("h"));
        }
        assertThat(channel.isOpen()).isTrue();
        assertThat(socket.held()).isEqualTo(HeartbeatHandler.MAX_PENDING_REPLIES);
        channel.writeInbound(bytes("h"));

        assertThat(channel.isOpen()).isFalse();
        assertThat(count("closed.slowConsumer")).isEqualTo(1);
        socket.discard();
        assertFalse(channel.finish());
    }

    @Test
    void heartbeatRepliesThatReachTheSocketFreeTheirSlots() {
        EmbeddedChannel channel = connect(RecordingGate.admitting());
        channel.writeInbound(bytes(EXAMPLE_SUB));
        outbound(channel);
        StallingOutbound socket = new StallingOutbound();
        channel.pipeline().addFirst(socket);

        for (int round = 0; round < 3; round++) {
            channel.writeInbound(bytes("h".repeat(HeartbeatHandler.MAX_PENDING_REPLIES)));
            socket.drain();
        }

        assertThat(channel.isOpen()).isTrue();
        assertThat(outbound(channel))
                .isEqualTo("+h\r\n".repeat(3 * HeartbeatHandler.MAX_PENDING_REPLIES));
        assertFalse(channel.finish());
    }

    // --- -p ---

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(
            strings = {
                // unknown command (case matters, as in gopush-cluster)
                "*3\r\n$3\r\npub\r\n$9\r\nTerry-Mao\r\n$2\r\n30\r\n",
                "*3\r\n$3\r\nSUB\r\n$9\r\nTerry-Mao\r\n$2\r\n30\r\n",
                "*1\r\n$0\r\n\r\n",
                // key missing or empty
                "*1\r\n$3\r\nsub\r\n",
                "*3\r\n$3\r\nsub\r\n$0\r\n\r\n$2\r\n30\r\n",
                // heartbeat missing
                "*2\r\n$3\r\nsub\r\n$9\r\nTerry-Mao\r\n",
                // heartbeat not a number
                "*3\r\n$3\r\nsub\r\n$9\r\nTerry-Mao\r\n$0\r\n\r\n",
                "*3\r\n$3\r\nsub\r\n$9\r\nTerry-Mao\r\n$2\r\nxx\r\n",
                "*3\r\n$3\r\nsub\r\n$9\r\nTerry-Mao\r\n$3\r\n30s\r\n",
                "*3\r\n$3\r\nsub\r\n$9\r\nTerry-Mao\r\n$3\r\n 30\r\n",
                "*3\r\n$3\r\nsub\r\n$9\r\nTerry-Mao\r\n$4\r\n30.0\r\n",
                "*3\r\n$3\r\nsub\r\n$9\r\nTerry-Mao\r\n$12\r\n999999999999\r\n",
                // heartbeat below the minimum of 30
                "*3\r\n$3\r\nsub\r\n$9\r\nTerry-Mao\r\n$2\r\n29\r\n",
                "*3\r\n$3\r\nsub\r\n$9\r\nTerry-Mao\r\n$1\r\n0\r\n",
                "*3\r\n$3\r\nsub\r\n$9\r\nTerry-Mao\r\n$3\r\n-30\r\n",
            })
    void badParametersAreAnsweredMinusPThenClosed(String input) {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = connect(gate);

        channel.writeInbound(bytes(input));

        assertThat(outbound(channel)).isEqualTo("-p\r\n");
        assertThat(channel.isOpen()).isFalse();
        assertThat(gate.asked()).isEmpty();
        assertThat(count("rejected.param")).isEqualTo(1);
        assertFalse(channel.finish());
    }

    /** A RESP request whose second argument (the key) is {@code key}'s bytes, others ASCII. */
    private static byte[] subWithKey(byte[] key, String... rest) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(
                ("*" + (2 + rest.length) + "\r\n$3\r\nsub\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(("$" + key.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(key);
        out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        for (String arg : rest) {
            out.writeBytes(
                    ("$" + arg.length() + "\r\n" + arg + "\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    @Test
    void keysTheKeyRuleRefusesAreAnsweredMinusPThenClosedAndCounted() {
        byte[][] keys = {
            "x".repeat(257).getBytes(StandardCharsets.US_ASCII),
            {(byte) 0xff, (byte) 0xfe},
            {'k', (byte) 0xc3},
            {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
        };
        String[][] argumentForms = {{"30"}, {"30", "tok"}, {"30", "", "1"}};
        int refused = 0;
        for (byte[] key : keys) {
            for (String[] rest : argumentForms) {
                RecordingGate gate = RecordingGate.admitting();
                EmbeddedChannel channel = connect(gate);

                channel.writeInbound(Wire.bytes(subWithKey(key, rest)));

                assertThat(outbound(channel)).isEqualTo("-p\r\n");
                assertThat(channel.isOpen()).isFalse();
                assertThat(gate.asked()).isEmpty();
                refused++;
                assertThat(count("rejected.key")).isEqualTo(refused);
                assertThat(count("rejected.param")).isEqualTo(refused);
                assertFalse(channel.finish());
            }
        }
        // The rule's limits are inclusive: 256 bytes of valid UTF-8 is a key.
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = connect(gate);
        String longest = "鍵".repeat(85) + "x";
        channel.writeInbound(
                Wire.bytes(subWithKey(longest.getBytes(StandardCharsets.UTF_8), "30")));
        assertThat(outbound(channel)).isEqualTo("+h\r\n");
        assertThat(gate.asked()).containsExactly(new Subscription(longest, 30, "", ""));
        assertFalse(channel.finish());
    }

    @Test
    void heartbeatsGoTheWayGoReadThem() {
        // Go's strconv.Atoi takes a sign and leading zeros.
        for (String heartbeat : new String[] {"+30", "030", "30"}) {
            RecordingGate gate = RecordingGate.admitting();
            EmbeddedChannel channel = connect(gate);

            channel.writeInbound(bytes(request("sub", "k", heartbeat)));

            assertThat(outbound(channel)).isEqualTo("+h\r\n");
            assertThat(gate.subscriber().subscription().heartbeatSeconds()).isEqualTo(30);
            assertFalse(channel.finish());
        }
    }

    @Test
    void theMinimumHeartbeatIsConfigurable() {
        ConnectionSettings settings = ConnectionSettings.builder().minHeartbeatSeconds(10).build();
        EmbeddedChannel accepted = connect(settings, RecordingGate.admitting());
        accepted.writeInbound(bytes(request("sub", "k", "10")));
        assertThat(outbound(accepted)).isEqualTo("+h\r\n");
        assertFalse(accepted.finish());

        EmbeddedChannel refused = connect(settings, RecordingGate.admitting());
        refused.writeInbound(bytes(request("sub", "k", "9")));
        assertThat(outbound(refused)).isEqualTo("-p\r\n");
        assertFalse(refused.finish());
    }

    @Test
    void bytesAfterARefusedRequestAreIgnored() {
        EmbeddedChannel channel = connect(RecordingGate.admitting());

        channel.writeInbound(bytes(request("sub", "k", "1") + "hhh"));

        assertThat(outbound(channel)).isEqualTo("-p\r\n");
        assertFalse(channel.finish());
    }

    // --- the gate's refusals ---

    @ParameterizedTest
    @EnumSource(
            value = Admission.class,
            names = {"REJECT_AUTH", "REJECT_CHANNEL", "REJECT_NOT_OWNER"})
    void refusalsAreAnsweredWithTheirReplyThenClosed(Admission refusal) {
        RecordingGate gate = new RecordingGate(refusal);
        EmbeddedChannel channel = connect(gate);

        channel.writeInbound(bytes(request("sub", "k", "30", "bad-token", "1.0")));

        String expected =
                switch (refusal) {
                    case REJECT_AUTH -> "-a\r\n";
                    case REJECT_CHANNEL -> "-c\r\n";
                    case REJECT_NOT_OWNER -> "-n\r\n";
                    case OK -> throw new AssertionError();
                };
        assertThat(outbound(channel)).isEqualTo(expected);
        assertThat(channel.isOpen()).isFalse();
        assertThat(gate.asked()).containsExactly(new Subscription("k", 30, "bad-token", "1.0"));
        assertThat(gate.live()).isEmpty();
        String counter =
                switch (refusal) {
                    case REJECT_AUTH -> "rejected.auth";
                    case REJECT_CHANNEL -> "rejected.channel";
                    default -> "rejected.node";
                };
        assertThat(count(counter)).isEqualTo(1);
        assertFalse(channel.finish());
    }

    @Test
    void aFailingGateClosesTheConnectionWithoutReply() {
        EmbeddedChannel channel =
                connect(
                        (subscription, subscriber) -> {
                            throw new IllegalStateException("registry is broken");
                        });

        channel.writeInbound(bytes(EXAMPLE_SUB));

        assertThat(outbound(channel)).isEmpty();
        assertThat(channel.isOpen()).isFalse();
        assertFalse(channel.finish());
    }

    // --- closed without a reply ---

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(
            strings = {
                "*3\r\n$x\r\nsub\r\n", // bad $len
                "*3\r\n$-1\r\n", // negative $len
                "*0\r\n", // argc outside 1..7 (6: Pushbase's since, 7: its rooms)
                "*8\r\n",
                "$3\r\nsub\r\n", // first line not starting with '*'
                "GET /sub HTTP/1.1\r\n",
                "h",
                "*3\n", // missing CR
                "*3\r\n$3\nsub\r\n",
                "*3\r\n$3\r\nsub\nx",
                "*3\r\n$x3\r\n",
                "*y\r\n", // bad *N
                "*1\r\n$2049\r\n", // oversized bulk
            })
    void malformedFramingIsClosedWithoutReply(String input) {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = connect(gate);

        channel.writeInbound(bytes(input));

        assertThat(outbound(channel)).isEmpty();
        assertThat(channel.isOpen()).isFalse();
        assertThat(gate.asked()).isEmpty();
        assertThat(count("closed.badInput")).isEqualTo(1);
        assertFalse(channel.finish());
    }

    @Test
    void theBulkLimitIsConfigurable() {
        ConnectionSettings settings = ConnectionSettings.builder().maxBulkLength(8).build();
        EmbeddedChannel channel = connect(settings, RecordingGate.admitting());

        channel.writeInbound(bytes(request("sub", "k", "30", "123456789")));

        assertThat(outbound(channel)).isEmpty();
        assertThat(channel.isOpen()).isFalse();
        assertFalse(channel.finish());
    }

    // --- timeouts ---

    @Test
    void aSilentConnectionIsClosedFiveSecondsAfterAccept() {
        EmbeddedChannel channel = connect(RecordingGate.admitting());

        ticker.advance(4999, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isTrue();

        ticker.advance(1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();

        assertThat(channel.isOpen()).isFalse();
        assertThat(outbound(channel)).isEmpty();
        assertThat(count("closed.firstRequestTimeout")).isEqualTo(1);
        assertFalse(channel.finish());
    }

    @Test
    void anIncompleteFirstRequestDoesNotExtendTheDeadline() {
        EmbeddedChannel channel = connect(RecordingGate.admitting());
        String sub = EXAMPLE_SUB;

        for (int i = 0; i < 4; i++) {
            channel.writeInbound(bytes(sub.substring(i, i + 1)));
            ticker.advance(1, TimeUnit.SECONDS);
            channel.runScheduledPendingTasks();
        }
        assertThat(channel.isOpen()).isTrue();
        channel.writeInbound(bytes(sub.substring(4, 10)));
        ticker.advance(1, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();

        assertThat(channel.isOpen()).isFalse();
        assertThat(outbound(channel)).isEmpty();
        assertFalse(channel.finish());
    }

    @Test
    void theFirstRequestTimeoutIsConfigurable() {
        ConnectionSettings settings =
                ConnectionSettings.builder().firstRequestTimeout(Duration.ofSeconds(1)).build();
        EmbeddedChannel channel = connect(settings, RecordingGate.admitting());

        ticker.advance(1, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();

        assertThat(channel.isOpen()).isFalse();
        assertFalse(channel.finish());
    }

    @Test
    void aSubscribedConnectionIsClosedHeartbeatPlusFiveSecondsAfterItsLastInput() {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = connect(gate);
        channel.writeInbound(bytes(EXAMPLE_SUB));
        Subscriber subscriber = gate.subscriber();

        // The first-request deadline no longer applies.
        ticker.advance(34, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isTrue();

        // A heartbeat restarts the 35 s.
        channel.writeInbound(bytes("h"));
        ticker.advance(34, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isTrue();

        ticker.advance(1, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();

        assertThat(channel.isOpen()).isFalse();
        assertThat(outbound(channel)).isEqualTo("+h\r\n+h\r\n");
        assertThat(subscriber.closeFuture().toCompletableFuture()).isCompleted();
        assertThat(gate.live()).isEmpty();
        assertThat(count("closed.heartbeatTimeout")).isEqualTo(1);
        assertFalse(channel.finish());
    }

    @Test
    void theReadTimeoutFollowsTheClientsHeartbeat() {
        EmbeddedChannel channel = connect(RecordingGate.admitting());
        channel.writeInbound(bytes(request("sub", "k", "120")));

        ticker.advance(124, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isTrue();

        ticker.advance(1, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isFalse();
        outbound(channel);
        assertFalse(channel.finish());
    }

    // --- pushed messages ---

    @Test
    void aClientWithoutVersionGetsTheOldFormatReferenceBytes() {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = connect(gate);
        channel.writeInbound(bytes(EXAMPLE_SUB));

        assertThat(gate.subscriber().deliver(17952546363411610L, TEST_1))
                .isEqualTo(Subscriber.Delivery.QUEUED);

        assertThat(outbound(channel))
                .isEqualTo(
                        "+h\r\n$54\r\n{\"msg\":\"{\\\"test\\\":1}\",\"mid\":17952546363411610,"
                                + "\"gid\":0}\r\n");
        assertFalse(channel.finish());
    }

    /**
     * A version selects the new format (gopush-cluster's reference bytes); (Pushbase) exactly
     * {@code pushbase.1} the exact one, whose mid is a string: 17952546403772883 is above 2^53 and
     * odd, so a JSON number of it reads as ...884 in JavaScript.
     */
    @ParameterizedTest(name = "version {0}")
    @CsvSource({
        "1.0, 50, 17952546403772882",
        "pushbase.1, 52, \"17952546403772882\"",
        "pushbase.1, 52, \"17952546403772883\"",
        "pushbase.2, 50, 17952546403772883"
    })
    void aClientWithVersionGetsTheNewFormatReferenceBytes(
            String version, int length, String renderedMid) {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = connect(gate);
        channel.writeInbound(bytes(request("sub", "Terry-Mao", "30", "", version)));

        gate.subscriber().deliver(Long.parseLong(renderedMid.replace("\"", "")), TEST_1);

        assertThat(outbound(channel))
                .isEqualTo(
                        "+h\r\n$"
                                + length
                                + "\r\n{\"msg\":{\"test\":1},\"mid\":"
                                + renderedMid
                                + ",\"gid\":0}\r\n");
        assertFalse(channel.finish());
    }

    @Test
    void theExactFormatResumesWithTheCompletenessAnswerFirst() {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = connect(gate);
        channel.writeInbound(
                bytes(request("sub", "Terry-Mao", "30", "", "pushbase.1", "17952546363411610")));
        channel.runPendingTasks();
        assertThat(outbound(channel)).isEqualTo("+h\r\n");

        history.last().replyWithFloor(17952546363411600L, 17952546363411611L);
        channel.runPendingTasks();
        gate.subscriber().deliver(17952546363411612L, TEST_1);

        assertThat(outbound(channel))
                .isEqualTo(
                        "+r complete\r\n"
                                + "$65\r\n{\"msg\":{\"n\":17952546363411611},"
                                + "\"mid\":\"17952546363411611\",\"gid\":0}\r\n"
                                + "$52\r\n{\"msg\":{\"test\":1},\"mid\":\"17952546363411612\","
                                + "\"gid\":0}\r\n");
        assertFalse(channel.finish());
    }

    @Test
    void closingTheSubscriberClosesTheConnectionWithoutReply() {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = connect(gate);
        channel.writeInbound(bytes(EXAMPLE_SUB));
        outbound(channel);

        gate.subscriber().close();

        assertThat(channel.isOpen()).isFalse();
        assertThat(outbound(channel)).isEmpty();
        assertThat(gate.live()).isEmpty();
        assertFalse(channel.finish());
    }

    // --- since (Pushbase): resume on subscribe ---

    @Test
    void aSixthArgumentResumesAfterThatMid() {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = connect(gate);

        channel.writeInbound(
                bytes(request("sub", "Terry-Mao", "30", "", "1", "17952546363411610")));
        channel.runPendingTasks();

        assertThat(outbound(channel)).isEqualTo("+h\r\n");
        assertThat(gate.asked())
                .containsExactly(
                        new Subscription(
                                "Terry-Mao", 30, "", "1", OptionalLong.of(17952546363411610L)));
        assertThat(history.fetches()).hasSize(1);
        assertThat(history.last().after()).isEqualTo(17952546363411610L);
        assertThat(gate.subscriber()).isInstanceOf(ResumingSubscriber.class);
        assertFalse(channel.finish());
    }

    @Test
    void anEmptySixthArgumentIsNoResume() {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = connect(gate);

        channel.writeInbound(bytes(request("sub", "k", "30", "", "", "")));

        assertThat(outbound(channel)).isEqualTo("+h\r\n");
        assertThat(gate.asked()).containsExactly(new Subscription("k", 30, "", ""));
        assertThat(history.fetches()).isEmpty();
        assertFalse(channel.finish());
    }

    @Test
    void theThreeToFiveArgumentFormsNeverResume() {
        String[] forms = {
            EXAMPLE_SUB,
            request("sub", "Terry-Mao", "30", "tok"),
            "*5\r\n$3\r\nsub\r\n$9\r\nTerry-Mao\r\n$2\r\n30\r\n$0\r\n\r\n$3\r\n1.0\r\n",
        };
        for (String form : forms) {
            RecordingGate gate = RecordingGate.admitting();
            EmbeddedChannel channel = connect(gate);

            channel.writeInbound(bytes(form));
            channel.runPendingTasks();

            assertThat(outbound(channel)).isEqualTo("+h\r\n");
            assertThat(gate.subscriber().subscription().since()).isEmpty();
            assertThat(gate.subscriber()).isNotInstanceOf(ResumingSubscriber.class);
            assertFalse(channel.finish());
        }
        assertThat(history.fetches()).isEmpty();
    }

    @ParameterizedTest(name = "[{index}] since {0}")
    @ValueSource(
            strings = {
                "-1",
                "+1",
                "x",
                "1.5",
                " 1",
                "12345678901234567890",
                "9223372036854775808",
                "9223372036854775807", // in the future
            })
    void aBadSinceIsAnsweredMinusPThenClosedAndCounted(String since) {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = connect(gate);

        channel.writeInbound(bytes(request("sub", "k", "30", "", "1", since)));

        assertThat(outbound(channel)).isEqualTo("-p\r\n");
        assertThat(channel.isOpen()).isFalse();
        assertThat(gate.asked()).isEmpty();
        assertThat(history.fetches()).isEmpty();
        assertThat(count("rejected.since")).isEqualTo(1);
        assertThat(count("rejected.param")).isEqualTo(1);
        assertThat(count("rejected.key")).isZero();
        assertFalse(channel.finish());
    }

    @Test
    void aSinceJustAheadOfTheClockIsAcceptedAndOneBeyondTheSlackIsNot() {
        long now = MidClock.system().now();
        EmbeddedChannel accepted = connect(RecordingGate.admitting());
        accepted.writeInbound(bytes(request("sub", "k", "30", "", "", Long.toString(now + 1000))));
        assertThat(outbound(accepted)).isEqualTo("+h\r\n");
        assertFalse(accepted.finish());

        EmbeddedChannel refused = connect(RecordingGate.admitting());
        refused.writeInbound(
                bytes(
                        request(
                                "sub",
                                "k",
                                "30",
                                "",
                                "",
                                Long.toString(now + 2 * Replayers.maxAheadTicks()))));
        assertThat(outbound(refused)).isEqualTo("-p\r\n");
        assertFalse(refused.finish());
    }
}
