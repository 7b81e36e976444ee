package io.pushbase.comet.handler;

import static io.pushbase.comet.testing.StallingOutbound.stall;
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
import io.pushbase.comet.testing.StallingOutbound;
import io.pushbase.comet.testing.WebSocketWire;
import io.pushbase.comet.testing.Wire;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * (Pushbase) Server-Sent Events on the WebSocket listener (docs/PROTOCOL.md, Server-Sent Events)
 * through the pipeline {@link WebSocketInitializer} builds: raw request bytes in, the raw response
 * out (its chunked body decoded here).
 */
class SsePipelineTest {
    private static final String SSE = "/sse?key=Terry-Mao";
    private static final byte[] TEST_1 = "{\"test\":1}".getBytes(StandardCharsets.UTF_8);

    /** Above 2^53 and odd: a JSON number a JavaScript client cannot hold exactly. */
    private static final long MID = 17952546363411611L;

    private final MetricRegistry registry = new MetricRegistry();
    private final ConnectionMetrics wsMetrics = new ConnectionMetrics(registry, "comet.ws");
    private final ConnectionMetrics sseMetrics = new ConnectionMetrics(registry, "comet.sse");
    private final MockTicker ticker = Ticker.newMockTicker();
    private final ScriptedHistory history = new ScriptedHistory();
    private final Replayer replayer = Replayers.over(history, 100, 32, registry);

    private EmbeddedChannel connect(SubscriptionGate gate) {
        return connect(ConnectionSettings.defaults(), gate);
    }

    private EmbeddedChannel connect(ConnectionSettings settings, SubscriptionGate gate) {
        return EmbeddedChannel.builder()
                .ticker(ticker)
                .handlers(new WebSocketInitializer(settings, gate, replayer, wsMetrics, sseMetrics))
                .build();
    }

    /** A stream subscribed by a GET of {@code uri}, its head and first comment read. */
    private EmbeddedChannel open(SubscriptionGate gate, String uri) {
        EmbeddedChannel channel = connect(gate);
        get(channel, uri);
        assertThat(response(channel).status()).isEqualTo(200);
        return channel;
    }

    private long count(String name) {
        return registry.counter("comet.sse." + name).getCount();
    }

    private static void get(EmbeddedChannel channel, String uri, String... headers) {
        request(channel, "GET", "HTTP/1.1", uri, headers);
    }

    private static void request(
            EmbeddedChannel channel, String method, String version, String uri, String... headers) {
        StringBuilder request = new StringBuilder(method + " " + uri + " " + version + "\r\n");
        request.append("Host: 127.0.0.1:6968\r\n");
        for (String header : headers) {
            request.append(header).append("\r\n");
        }
        channel.writeInbound(Wire.bytes(request.append("\r\n").toString()));
    }

    /** A response: status, head (status line and headers) and body (de-chunked when chunked). */
    record Response(int status, String head, String body) {
        String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }

    private static Response response(EmbeddedChannel channel) {
        String all = Wire.outbound(channel);
        int end = all.indexOf("\r\n\r\n");
        assertThat(end).as("a complete response head in %s", all).isPositive();
        String head = all.substring(0, end);
        String rest = all.substring(end + 4);
        boolean chunked = head.toLowerCase().contains("transfer-encoding: chunked");
        return new Response(
                Integer.parseInt(head.substring(9, 12)), head, chunked ? dechunk(rest) : rest);
    }

    /** The body written since the last read, de-chunked. */
    private static String events(EmbeddedChannel channel) {
        return dechunk(Wire.outbound(channel));
    }

    private static String dechunk(String chunks) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] bytes = chunks.getBytes(StandardCharsets.UTF_8);
        int i = 0;
        while (i < bytes.length) {
            int lineEnd = chunks.indexOf("\r\n", i);
            int size = Integer.parseInt(chunks.substring(i, lineEnd), 16);
            body.write(bytes, lineEnd + 2, size);
            i = lineEnd + 2 + size;
            assertThat(chunks.substring(i, i + 2)).isEqualTo("\r\n");
            i += 2;
        }
        return body.toString(StandardCharsets.UTF_8);
    }

    // --- admitted streams ---

    @Test
    void anAdmittedStreamIsA200EventStreamThatStartsWithAHeartbeatComment() {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = connect(gate);

        get(channel, SSE);

        Response response = response(channel);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).isEqualTo("text/event-stream");
        assertThat(response.header("Cache-Control")).isEqualTo("no-cache");
        assertThat(response.header("X-Accel-Buffering")).isEqualTo("no");
        assertThat(response.header("Transfer-Encoding")).isEqualTo("chunked");
        assertThat(response.header("Access-Control-Allow-Origin")).isNull();
        assertThat(response.body()).isEqualTo(": h\n\n");
        // No client heartbeat: the minimum stands in for it, nothing reads it.
        assertThat(gate.asked()).containsExactly(new Subscription("Terry-Mao", 30, "", ""));
        assertThat(channel.isOpen()).isTrue();
        assertThat(count("subscribed")).isEqualTo(1);
        assertThat(wsMetrics.subscribed().getCount()).isZero();
        assertThat(channel.pipeline().names())
                .startsWith("http", "aggregator", "sseEncoder", "sseStream", "errors");
        assertThat(channel.pipeline().get(WebSocketInitializer.WEBSOCKET)).isNull();
        assertFalse(channel.finish());
    }

    @Test
    void tokenAndVersionComeFromTheQueryAndAHeartbeatParameterIsIgnored() {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = connect(gate);

        get(channel, "/sse?key=a%20b&token=t.k.n&ver=1.1&heartbeat=x");

        assertThat(response(channel).status()).isEqualTo(200);
        assertThat(gate.asked()).containsExactly(new Subscription("a b", 30, "t.k.n", "1.1"));
        assertFalse(channel.finish());
    }

    @Test
    void eachMessageIsAnEventWhoseIdIsItsMidInTheClientsFormat() {
        RecordingGate oldGate = RecordingGate.admitting();
        EmbeddedChannel old = open(oldGate, SSE);
        oldGate.subscriber().deliver(MID, TEST_1);
        assertThat(events(old))
                .isEqualTo(
                        "id: 17952546363411611\ndata: {\"msg\":\"{\\\"test\\\":1}\",\"mid\":"
                                + "17952546363411611,\"gid\":0}\n\n");
        assertFalse(old.finish());

        RecordingGate newGate = RecordingGate.admitting();
        EmbeddedChannel current = open(newGate, SSE + "&ver=1");
        newGate.subscriber().deliver(MID, TEST_1);
        newGate.subscriber().deliver(MID + 1, TEST_1);
        assertThat(events(current))
                .isEqualTo(
                        "id: 17952546363411611\ndata: {\"msg\":{\"test\":1},\"mid\":17952546363411611,"
                                + "\"gid\":0}\n\n"
                                + "id: 17952546363411612\ndata: {\"msg\":{\"test\":1},\"mid\":"
                                + "17952546363411612,\"gid\":0}\n\n");
        assertFalse(current.finish());
    }

    @Test
    void withThePushbaseVersionTheDataCarriesTheMidAsAStringBesideTheId() {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = open(gate, SSE + "&ver=pushbase.1");

        gate.subscriber().deliver(MID, TEST_1);

        assertThat(events(channel))
                .isEqualTo(
                        "id: 17952546363411611\ndata: {\"msg\":{\"test\":1},"
                                + "\"mid\":\"17952546363411611\",\"gid\":0}\n\n");
        assertFalse(channel.finish());
    }

    @Test
    void aPayloadWithLineBreaksIsSplitIntoDataLines() {
        byte[] payload = "{\"a\":1,\n\"b\":[1,\r\n2]\r}".getBytes(StandardCharsets.UTF_8);
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = open(gate, SSE + "&ver=1");

        gate.subscriber().deliver(MID, payload);

        assertThat(events(channel))
                .isEqualTo(
                        "id: 17952546363411611\n"
                                + "data: {\"msg\":{\"a\":1,\n"
                                + "data: \"b\":[1,\n"
                                + "data: 2]\n"
                                + "data: },\"mid\":17952546363411611,\"gid\":0}\n\n");
        // The old format escapes them: one line.
        RecordingGate oldGate = RecordingGate.admitting();
        EmbeddedChannel old = open(oldGate, SSE);
        oldGate.subscriber().deliver(MID, payload);
        assertThat(events(old))
                .isEqualTo(
                        "id: 17952546363411611\ndata: {\"msg\":\"{\\\"a\\\":1,\\n\\\"b\\\":[1,\\r\\n2]"
                                + "\\r}\",\"mid\":17952546363411611,\"gid\":0}\n\n");
        assertFalse(channel.finish());
        assertFalse(old.finish());
    }

    @Test
    void heartbeatCommentsComeEveryPeriod() {
        EmbeddedChannel channel =
                connect(
                        ConnectionSettings.builder()
                                .sseHeartbeat(java.time.Duration.ofSeconds(10))
                                .build(),
                        RecordingGate.admitting());
        get(channel, SSE);
        response(channel);

        ticker.advance(9, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(events(channel)).isEmpty();
        ticker.advance(1, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(events(channel)).isEqualTo(": h\n\n");
        ticker.advance(10, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(events(channel)).isEqualTo(": h\n\n");
        // No read timeout: a client never sends.
        ticker.advance(10, TimeUnit.MINUTES);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isTrue();
        assertThat(events(channel)).isEqualTo(": h\n\n".repeat(60));
        assertFalse(channel.finish());
    }

    @Test
    void aClientThatReadsNothingForAHeartbeatPeriodIsClosed() {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = open(gate, SSE);
        StallingOutbound socket = stall(channel);

        ticker.advance(25, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        ticker.advance(25, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isTrue();
        // Two comments held (the HTTP codec writes each chunk in pieces).
        assertThat(socket.held()).isPositive();
        ticker.advance(25, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();

        assertThat(channel.isOpen()).isFalse();
        assertThat(count("closed.heartbeatTimeout")).isEqualTo(1);
        assertThat(gate.live()).isEmpty();
        socket.discard();
        assertFalse(channel.finish());
    }

    @Test
    void aSlowConsumerIsClosedAndCounted() {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = open(gate, SSE);
        StallingOutbound socket = stall(channel);

        int max = ConnectionSettings.defaults().maxPendingMessages();
        for (int i = 0; i < max; i++) {
            gate.subscriber().deliver(MID + i, TEST_1);
        }
        assertThat(channel.isOpen()).isTrue();
        gate.subscriber().deliver(MID + max, TEST_1);

        assertThat(channel.isOpen()).isFalse();
        assertThat(count("closed.slowConsumer")).isEqualTo(1);
        assertThat(wsMetrics.slowConsumers().getCount()).isZero();
        socket.discard();
        assertFalse(channel.finish());
    }

    @Test
    void inputAfterTheRequestClosesTheStream() {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = open(gate, SSE);

        get(channel, SSE);

        assertThat(channel.isOpen()).isFalse();
        assertThat(Wire.outbound(channel)).isEmpty();
        assertThat(count("closed.badInput")).isEqualTo(1);
        assertThat(gate.asked()).hasSize(1);
        assertFalse(channel.finish());
    }

    @Test
    void anHttp10RequestGetsABodyUntilTheClose() {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = connect(gate);

        request(channel, "GET", "HTTP/1.0", SSE);

        Response response = response(channel);
        assertThat(response.head()).startsWith("HTTP/1.0 200 OK");
        assertThat(response.header("Transfer-Encoding")).isNull();
        assertThat(response.header("Connection")).isEqualTo("close");
        assertThat(response.body()).isEqualTo(": h\n\n");
        gate.subscriber().deliver(MID, TEST_1);
        assertThat(Wire.outbound(channel)).startsWith("id: 17952546363411611\ndata: ");
        assertFalse(channel.finish());
    }

    // --- refusals ---

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/sse",
                "/sse?key=",
                "/sse?since=1",
                "/sse?key=Terry-Mao&since=abc",
                "/sse?key=Terry-Mao&since=-1",
                "/sse?key=%ff%fe",
                "/sse?key=%zz"
            })
    void badParametersAre400NamingTheProblemThenAClose(String uri) {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = connect(gate);

        get(channel, uri);

        Response response = response(channel);
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.header("Content-Type")).isEqualTo("text/plain; charset=utf-8");
        assertThat(response.body()).startsWith("-p bad parameters: ").endsWith("\n");
        assertThat(response.header("X-Pushbase-Error"))
                .isEqualTo(response.body().substring(0, response.body().length() - 1));
        assertThat(channel.isOpen()).isFalse();
        assertThat(gate.asked()).isEmpty();
        assertThat(count("rejected.param")).isEqualTo(1);
        assertFalse(channel.finish());
    }

    @Test
    void aLastEventIdThatIsNotAMidIs400NamingTheHeader() {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = connect(gate);

        get(channel, SSE + "&since=17952546363411610", "Last-Event-ID: 12x");

        Response response = response(channel);
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body())
                .isEqualTo(
                        "-p bad parameters: Last-Event-ID header: since is not a decimal mid: \"12x\"\n");
        assertThat(channel.isOpen()).isFalse();
        assertThat(count("rejected.since")).isEqualTo(1);
        assertThat(history.fetches()).isEmpty();
        assertFalse(channel.finish());
    }

    @ParameterizedTest
    @EnumSource(
            value = Admission.class,
            names = {"REJECT_AUTH", "REJECT_CHANNEL", "REJECT_NOT_OWNER"})
    void refusalsAreAnHttpStatusWithTheReplyThenAClose(Admission refusal) {
        RecordingGate gate = new RecordingGate(refusal);
        EmbeddedChannel channel = connect(gate);

        get(channel, SSE + "&token=bad");

        Response response = response(channel);
        switch (refusal) {
            case REJECT_AUTH -> {
                assertThat(response.status()).isEqualTo(403);
                assertThat(response.body()).isEqualTo("-a token rejected\n");
                assertThat(count("rejected.auth")).isEqualTo(1);
            }
            case REJECT_CHANNEL -> {
                assertThat(response.status()).isEqualTo(429);
                assertThat(response.body()).startsWith("-c ");
                assertThat(count("rejected.channel")).isEqualTo(1);
            }
            case REJECT_NOT_OWNER -> {
                assertThat(response.status()).isEqualTo(409);
                assertThat(response.body()).startsWith("-n ");
                assertThat(count("rejected.node")).isEqualTo(1);
            }
            case OK -> throw new AssertionError();
        }
        assertThat(response.header("Connection")).isEqualTo("close");
        assertThat(channel.isOpen()).isFalse();
        assertThat(gate.live()).isEmpty();
        assertFalse(channel.finish());
    }

    @Test
    void otherMethodsAre405() {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = connect(gate);

        request(channel, "POST", "HTTP/1.1", SSE, "Content-Length: 0");

        Response response = response(channel);
        assertThat(response.status()).isEqualTo(405);
        assertThat(response.header("Allow")).isEqualTo("GET");
        assertThat(channel.isOpen()).isFalse();
        assertThat(gate.asked()).isEmpty();
        assertFalse(channel.finish());
    }

    @Test
    void theOriginAllowListAppliesAndAnAllowedOriginMayReadTheStream() {
        ConnectionSettings settings =
                ConnectionSettings.builder().allowedOrigins(Set.of("https://app.example")).build();
        RecordingGate gate = RecordingGate.admitting();

        EmbeddedChannel other = connect(settings, gate);
        get(other, SSE, "Origin: https://evil.example");
        assertThat(response(other).status()).isEqualTo(403);
        assertThat(other.isOpen()).isFalse();
        assertThat(gate.asked()).isEmpty();

        EmbeddedChannel allowed = connect(settings, gate);
        get(allowed, SSE, "Origin: https://app.example");
        Response response = response(allowed);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example");
        assertThat(response.header("Vary")).isEqualTo("origin");
        assertFalse(other.finish());
        assertFalse(allowed.finish());
    }

    @Test
    void otherRequestsGoToTheWebSocketHandlersWithoutTheSseHandler() {
        EmbeddedChannel channel = connect(RecordingGate.admitting());

        get(channel, "/ssex?key=Terry-Mao");

        assertThat(response(channel).status()).isEqualTo(404);
        assertFalse(channel.finish());

        EmbeddedChannel webSocket = connect(RecordingGate.admitting());
        webSocket.writeInbound(WebSocketWire.upgrade("/sub?key=Terry-Mao&heartbeat=30", null));
        assertThat(response(webSocket).status()).isEqualTo(101);
        assertThat(webSocket.pipeline().get(WebSocketInitializer.SSE)).isNull();
        assertThat(count("subscribed")).isZero();
        assertThat(wsMetrics.subscribed().getCount()).isEqualTo(1);
        assertFalse(webSocket.finish());
    }

    // --- resume: Last-Event-ID and since ---

    @Test
    void lastEventIdResumesWithTheCompletenessEventThenStoredThenLive() {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = connect(gate);

        // The header wins over since= (an EventSource repeats the URL it was opened with).
        get(channel, SSE + "&ver=1&since=17952546363411600", "Last-Event-ID: 17952546363411610");
        channel.runPendingTasks();

        assertThat(response(channel).body()).isEqualTo(": h\n\n");
        assertThat(gate.asked())
                .containsExactly(
                        new Subscription(
                                "Terry-Mao", 30, "", "1", OptionalLong.of(17952546363411610L)));
        assertThat(history.last().after()).isEqualTo(17952546363411610L);
        // A push while the replay reads: held, then after the stored ones.
        gate.subscriber().deliver(17952546363411613L, TEST_1);
        history.last().replyWithFloor(17952546363411610L, MID, MID + 1);
        channel.runPendingTasks();

        assertThat(events(channel))
                .isEqualTo(
                        "event: resume\ndata: complete\n\n"
                                + "id: 17952546363411611\ndata: {\"msg\":{\"n\":17952546363411611},"
                                + "\"mid\":17952546363411611,\"gid\":0}\n\n"
                                + "id: 17952546363411612\ndata: {\"msg\":{\"n\":17952546363411612},"
                                + "\"mid\":17952546363411612,\"gid\":0}\n\n"
                                + "id: 17952546363411613\ndata: {\"msg\":{\"test\":1},"
                                + "\"mid\":17952546363411613,\"gid\":0}\n\n");
        gate.subscriber().deliver(17952546363411614L, TEST_1);
        assertThat(events(channel)).startsWith("id: 17952546363411614\n");
        assertFalse(channel.finish());
    }

    @Test
    void sinceWithoutTheHeaderResumesToo_andBelowTheFloorIsTruncated() {
        EmbeddedChannel channel = connect(RecordingGate.admitting());

        get(channel, SSE + "&since=17952546363411610");
        channel.runPendingTasks();
        response(channel);
        assertThat(history.last().after()).isEqualTo(17952546363411610L);
        history.last().replyWithFloor(17952546363411615L, 17952546363411616L);
        channel.runPendingTasks();

        assertThat(events(channel))
                .isEqualTo(
                        "event: resume\ndata: truncated\n\n"
                                + "id: 17952546363411616\ndata: {\"msg\":\"{\\\"n\\\":17952546363411616}\","
                                + "\"mid\":17952546363411616,\"gid\":0}\n\n");
        assertFalse(channel.finish());
    }

    @Test
    void aLastEventIdResumeInTheExactFormat() {
        EmbeddedChannel channel = connect(RecordingGate.admitting());

        get(channel, SSE + "&ver=pushbase.1", "Last-Event-ID: 17952546363411610");
        channel.runPendingTasks();
        response(channel);
        assertThat(history.last().after()).isEqualTo(17952546363411610L);
        history.last().replyWithFloor(17952546363411610L, MID);
        channel.runPendingTasks();

        assertThat(events(channel))
                .isEqualTo(
                        "event: resume\ndata: complete\n\n"
                                + "id: 17952546363411611\ndata: {\"msg\":{\"n\":17952546363411611},"
                                + "\"mid\":\"17952546363411611\",\"gid\":0}\n\n");
        assertFalse(channel.finish());
    }

    @Test
    void anEmptyLastEventIdIsNoResume() {
        RecordingGate gate = RecordingGate.admitting();
        EmbeddedChannel channel = connect(gate);

        get(channel, SSE, "Last-Event-ID: ");
        channel.runPendingTasks();

        assertThat(response(channel).status()).isEqualTo(200);
        assertThat(gate.subscriber().subscription().since()).isEmpty();
        assertThat(history.fetches()).isEmpty();
        assertFalse(channel.finish());
    }
}
