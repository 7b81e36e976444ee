package io.pushbase.comet.room;

import static io.pushbase.comet.testing.WebSocketWire.clientText;
import static io.pushbase.comet.testing.WebSocketWire.parseFrames;
import static io.pushbase.comet.testing.WebSocketWire.parseResponse;
import static io.pushbase.comet.testing.WebSocketWire.upgrade;
import static io.pushbase.comet.testing.Wire.bytes;
import static io.pushbase.comet.testing.Wire.outbound;
import static io.pushbase.comet.testing.Wire.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import io.pushbase.cluster.message.AppendClaim;
import io.pushbase.cluster.token.TokenIssuer;
import io.pushbase.cluster.token.TokenVerifier;
import io.pushbase.comet.channel.KeyChannels;
import io.pushbase.comet.connection.ConnectionMetrics;
import io.pushbase.comet.connection.ConnectionSettings;
import io.pushbase.comet.handler.TcpInitializer;
import io.pushbase.comet.handler.WebSocketInitializer;
import io.pushbase.comet.push.PushRejectedException;
import io.pushbase.comet.push.RoomPeers;
import io.pushbase.comet.push.RoomPipeline;
import io.pushbase.comet.replay.Replayer;
import io.pushbase.comet.testing.KeyChannelsGate;
import io.pushbase.comet.testing.RecordingGate;
import io.pushbase.comet.testing.Replayers;
import io.pushbase.comet.testing.ScriptedHistory;
import io.pushbase.comet.testing.StallingOutbound;
import io.pushbase.comet.testing.WebSocketWire;
import io.pushbase.comet.testing.Wire;
import io.pushbase.schema.client.MidClock;
import io.pushbase.schema.client.Rooms;
import io.pushbase.schema.message.v1.AppendReply;
import io.pushbase.schema.message.v1.AppendRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * (Pushbase, issue 14) Rooms through the real TCP, WebSocket and Server-Sent Events pipelines
 * ({@link TcpInitializer}, {@link WebSocketInitializer}) and the real {@link RoomJoins}, {@link
 * RoomIndex} and {@link RoomFanout}: joins at subscribe and by command, leaves, the replies byte
 * for byte, every bound refused with its reason and counted, the token's claim, a join with a since
 * replayed from the room's log, and the fan-out's shared frames.
 */
class RoomPipelineTest {
    private static final byte[] SECRET =
            "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final MetricRegistry registry = new MetricRegistry();
    private final ConnectionMetrics tcpMetrics = new ConnectionMetrics(registry, "comet.tcp");
    private final ConnectionMetrics wsMetrics = new ConnectionMetrics(registry, "comet.ws");
    private final ConnectionMetrics sseMetrics = new ConnectionMetrics(registry, "comet.sse");
    private final ScriptedHistory keyHistory = new ScriptedHistory();
    private final ScriptedHistory roomHistory = new ScriptedHistory();
    private final Replayer replayer = Replayers.over(keyHistory, 100, 32, registry);
    private final RoomMetrics roomMetrics = new RoomMetrics(registry);
    private RoomIndex index = new RoomIndex(2, registry);
    private RoomJoins joins = joins(Optional.empty());
    private final RoomFanout fanout =
            new RoomFanout(index, roomMetrics, PooledByteBufAllocator.DEFAULT);

    /** Bounds: 2 rooms per connection, names of 8 characters, 2 members per room. */
    private RoomJoins joins(Optional<TokenVerifier> tokens) {
        return new RoomJoins(
                new RoomSettings(2, 8, 2),
                index,
                tokens,
                replayer.withHistory(roomHistory),
                roomMetrics);
    }

    private EmbeddedChannel tcp() {
        return new EmbeddedChannel(
                new TcpInitializer(
                        ConnectionSettings.defaults(),
                        RecordingGate.admitting(),
                        replayer,
                        tcpMetrics,
                        joins));
    }

    private EmbeddedChannel ws() {
        return new EmbeddedChannel(
                new WebSocketInitializer(
                        ConnectionSettings.defaults(),
                        RecordingGate.admitting(),
                        replayer,
                        wsMetrics,
                        sseMetrics,
                        joins));
    }

    private long count(String name) {
        return registry.counter(name).getCount();
    }

    /** Fans {@code mid} of {@code room} out and runs the event loop's batch. */
    private int push(String room, long mid, EmbeddedChannel... channels) {
        var done = fanout.deliver(room, mid, ("{\"n\":" + mid + "}").getBytes());
        for (EmbeddedChannel c : channels) {
            c.runPendingTasks();
        }
        return done.join();
    }

    private static List<String> texts(EmbeddedChannel channel) {
        List<String> texts = new ArrayList<>();
        for (WebSocketWire.Frame frame : parseFrames(Wire.outboundBytes(channel))) {
            texts.add(frame.text());
        }
        return texts;
    }

    private static String tcpSub(String rooms) {
        return request("sub", "k", "30", "", "", "", rooms);
    }

    // --- TCP ---

    @Test
    void aTcpSubscribeJoinsTheRoomsOfItsSeventhArgument() {
        EmbeddedChannel c = tcp();
        c.writeInbound(bytes(tcpSub("lobby,game.1")));

        assertThat(outbound(c)).isEqualTo("+h\r\n+j lobby\r\n+j game.1\r\n");
        assertThat(index.count("lobby")).isEqualTo(1);
        assertThat(index.count("game.1")).isEqualTo(1);
        assertThat(count("comet.rooms.joined")).isEqualTo(2);

        assertThat(push("lobby", 17, c)).isEqualTo(1);
        // No version: the old format (msg as a string), the room last.
        String json = "{\"msg\":\"{\\\"n\\\":17}\",\"mid\":17,\"gid\":0,\"room\":\"lobby\"}";
        assertThat(outbound(c)).isEqualTo("$" + json.length() + "\r\n" + json + "\r\n");
    }

    @Test
    void aTcpClientJoinsAndLeavesWithCommandsBetweenItsHeartbeats() {
        EmbeddedChannel c = tcp();
        c.writeInbound(bytes(request("sub", "k", "30", "", "1")));
        assertThat(outbound(c)).isEqualTo("+h\r\n");

        c.writeInbound(bytes("h" + request("join", "lobby") + "h"));
        assertThat(outbound(c)).isEqualTo("+h\r\n+j lobby\r\n+h\r\n");
        push("lobby", 5, c);
        assertThat(outbound(c))
                .contains("{\"msg\":{\"n\":5},\"mid\":5,\"gid\":0,\"room\":\"lobby\"}");

        c.writeInbound(bytes(request("leave", "lobby")));
        assertThat(outbound(c)).isEqualTo("+l lobby\r\n");
        assertThat(push("lobby", 6, c)).isZero();
        assertThat(outbound(c)).isEmpty();
        assertThat(index.count("lobby")).isZero();
        // Leaving again, or a room never joined: answered all the same.
        c.writeInbound(bytes(request("leave", "lobby")));
        assertThat(outbound(c)).isEqualTo("+l lobby\r\n");
        // Switching: another room, then the first again.
        c.writeInbound(bytes(request("join", "game.1") + request("join", "lobby")));
        assertThat(outbound(c)).isEqualTo("+j game.1\r\n+j lobby\r\n");
        assertThat(c.isOpen()).isTrue();
    }

    @Test
    void aTcpConnectionClosedLeavesItsRooms() {
        EmbeddedChannel c = tcp();
        c.writeInbound(bytes(tcpSub("lobby")));
        assertThat(index.memberCount()).isEqualTo(1);
        outbound(c);

        c.close();

        assertThat(index.memberCount()).isZero();
        assertThat(count("comet.rooms.left")).isEqualTo(1);
    }

    @Test
    void anUnknownCommandOrAJoinWithoutARoomClosesTheConnection() {
        EmbeddedChannel unknown = tcp();
        unknown.writeInbound(bytes(tcpSub("")));
        outbound(unknown);
        unknown.writeInbound(bytes(request("dance", "x")));
        assertThat(unknown.isOpen()).isFalse();

        EmbeddedChannel bare = tcp();
        bare.writeInbound(bytes(tcpSub("")));
        outbound(bare);
        bare.writeInbound(bytes(request("join")));
        assertThat(bare.isOpen()).isFalse();
        assertThat(count("comet.tcp.closed.badInput")).isEqualTo(2);
    }

    // --- bounds ---

    @Test
    void aRoomNameTooLongIsRefusedAtSubscribeWithItsReasonThenMinusP() {
        EmbeddedChannel c = tcp();
        c.writeInbound(bytes(tcpSub("lobby,muchtoolong")));

        assertThat(outbound(c)).isEqualTo("-j * name\r\n-p\r\n");
        assertThat(c.isOpen()).isFalse();
        assertThat(count("comet.rooms.refused.name")).isEqualTo(1);
        assertThat(index.memberCount()).isZero();
    }

    @Test
    void badJoinsAreRefusedWithTheirReasonAndTheConnectionStays() {
        EmbeddedChannel c = tcp();
        c.writeInbound(bytes(tcpSub("a,b")));
        outbound(c);

        c.writeInbound(bytes(request("join", "muchtoolong")));
        c.writeInbound(bytes(request("join", "a b")));
        c.writeInbound(bytes(request("join", "c")));
        c.writeInbound(bytes(request("join", "c", "12x")));
        c.writeInbound(bytes(request("join", "c", "99999999999999999")));

        assertThat(outbound(c))
                .isEqualTo("-j * name\r\n-j * name\r\n-j c limit\r\n-j c since\r\n-j c since\r\n");
        assertThat(c.isOpen()).isTrue();
        assertThat(count("comet.rooms.refused.name")).isEqualTo(2);
        assertThat(count("comet.rooms.refused.limit")).isEqualTo(1);
        assertThat(count("comet.rooms.refused.since")).isEqualTo(2);
        // Leaving makes room for another.
        c.writeInbound(bytes(request("leave", "a") + request("join", "c")));
        assertThat(outbound(c)).isEqualTo("+l a\r\n+j c\r\n");
    }

    @Test
    void aFullRoomRefusesTheNextMemberOnThisComet() {
        EmbeddedChannel one = tcp();
        EmbeddedChannel two = tcp();
        EmbeddedChannel three = tcp();
        one.writeInbound(bytes(tcpSub("lobby")));
        two.writeInbound(bytes(tcpSub("lobby")));
        three.writeInbound(bytes(request("sub", "k", "30")));
        outbound(one);
        outbound(two);
        outbound(three);

        three.writeInbound(bytes(request("join", "lobby")));
        assertThat(outbound(three)).isEqualTo("-j lobby full\r\n");

        EmbeddedChannel four = tcp();
        four.writeInbound(bytes(tcpSub("lobby")));
        assertThat(outbound(four)).isEqualTo("-j lobby full\r\n-c\r\n");
        assertThat(four.isOpen()).isFalse();
        assertThat(count("comet.rooms.refused.full")).isEqualTo(2);
        assertThat(count("comet.tcp.rejected.channel")).isEqualTo(1);

        one.close();
        three.writeInbound(bytes(request("join", "lobby")));
        assertThat(outbound(three)).isEqualTo("+j lobby\r\n");
    }

    @Test
    void tooManyRoomsAtSubscribeAreRefused() {
        EmbeddedChannel c = tcp();
        c.writeInbound(bytes(tcpSub("a,b,c")));
        assertThat(outbound(c)).isEqualTo("-j c limit\r\n-p\r\n");
        assertThat(count("comet.rooms.refused.limit")).isEqualTo(1);
    }

    // --- auth ---

    @Test
    void withAuthOnTheTokensClaimSaysWhichRoomsMayBeJoined() {
        TokenVerifier verifier = new TokenVerifier(SECRET, null, 5, Clock.systemUTC());
        joins = joins(Optional.of(verifier));
        String token =
                new TokenIssuer(SECRET, Clock.systemUTC())
                        .issue("k", Duration.ofMinutes(5), List.of("game.*", "lobby"));
        EmbeddedChannel c = tcp();
        c.writeInbound(bytes(request("sub", "k", "30", token, "", "", "lobby")));
        assertThat(outbound(c)).isEqualTo("+h\r\n+j lobby\r\n");

        c.writeInbound(bytes(request("join", "game.7") + request("join", "chat")));
        assertThat(outbound(c)).isEqualTo("+j game.7\r\n-j chat auth\r\n");
        assertThat(count("comet.rooms.refused.auth")).isEqualTo(1);

        // A token without the claim joins no room; at subscribe that is -a.
        String plain = new TokenIssuer(SECRET, Clock.systemUTC()).issue("k", Duration.ofMinutes(5));
        EmbeddedChannel d = tcp();
        d.writeInbound(bytes(request("sub", "k", "30", plain, "", "", "lobby")));
        assertThat(outbound(d)).isEqualTo("-j lobby auth\r\n-a\r\n");
        assertThat(d.isOpen()).isFalse();
    }

    // --- resume a room ---

    @Test
    void aJoinWithASinceReplaysTheRoomsLogThenGoesLive() {
        EmbeddedChannel c = tcp();
        c.writeInbound(bytes(request("sub", "k", "30", "", "1")));
        outbound(c);

        c.writeInbound(bytes(request("join", "lobby", "100")));
        assertThat(roomHistory.last().key()).isEqualTo("lobby");
        assertThat(roomHistory.last().after()).isEqualTo(100);
        assertThat(keyHistory.fetches()).isEmpty();
        // A live message while the page is read: held, then merged in by mid.
        push("lobby", 103, c);
        assertThat(outbound(c)).isEmpty();
        roomHistory.last().reply(101, 102);
        c.runPendingTasks();

        assertThat(outbound(c))
                .isEqualTo(
                        "+j lobby complete\r\n"
                                + frame(
                                        "{\"msg\":{\"n\":101},\"mid\":101,\"gid\":0,\"room\":\"lobby\"}")
                                + frame(
                                        "{\"msg\":{\"n\":102},\"mid\":102,\"gid\":0,\"room\":\"lobby\"}")
                                + frame(
                                        "{\"msg\":{\"n\":103},\"mid\":103,\"gid\":0,\"room\":\"lobby\"}"));
        push("lobby", 104, c);
        assertThat(outbound(c))
                .isEqualTo(frame("{\"msg\":{\"n\":104},\"mid\":104,\"gid\":0,\"room\":\"lobby\"}"));
    }

    @Test
    void aRoomResumedBelowItsFloorIsAnsweredTruncated() {
        EmbeddedChannel c = tcp();
        c.writeInbound(bytes(tcpSub("lobby@5")));
        assertThat(outbound(c)).isEqualTo("+h\r\n");
        roomHistory.last().replyWithFloor(50, 60);
        c.runPendingTasks();
        assertThat(outbound(c)).startsWith("+j lobby truncated\r\n$").contains("\"mid\":60,");
    }

    @Test
    void leavingARoomDuringItsReplayStopsIt() {
        EmbeddedChannel c = tcp();
        c.writeInbound(bytes(tcpSub("lobby@5")));
        outbound(c);
        c.writeInbound(bytes(request("leave", "lobby")));
        assertThat(outbound(c)).isEqualTo("+l lobby\r\n");
        roomHistory.last().reply(6, 7);
        c.runPendingTasks();
        assertThat(outbound(c)).isEmpty();
        assertThat(c.isOpen()).isTrue();
    }

    private static String frame(String json) {
        return "$" + json.length() + "\r\n" + json + "\r\n";
    }

    // --- WebSocket ---

    @Test
    void aWebSocketJoinsItsRoomParametersAndTakesTextCommands() {
        EmbeddedChannel c = ws();
        c.writeInbound(upgrade("/sub?key=k&heartbeat=30&ver=pushbase.1&room=a&room=b", null));
        assertThat(parseResponse(Wire.outboundBytes(c)).texts())
                .containsExactly("+h\r\n", "+j a\r\n", "+j b\r\n");

        push("a", 9, c);
        assertThat(texts(c))
                .containsExactly("{\"msg\":{\"n\":9},\"mid\":\"9\",\"gid\":0,\"room\":\"a\"}");

        c.writeInbound(clientText("leave a"));
        // The TCP form works too: one RESP request in the frame.
        c.writeInbound(clientText(request("join", "c")));
        c.writeInbound(clientText("h"));
        c.writeInbound(clientText("join toolongname"));
        assertThat(texts(c)).containsExactly("+l a\r\n", "+j c\r\n", "+h\r\n", "-j * name\r\n");
        assertThat(push("a", 10, c)).isZero();
        assertThat(push("c", 11, c)).isEqualTo(1);
        assertThat(texts(c)).hasSize(1);
        c.writeInbound(clientText("join  c"));
        assertThat(c.isOpen()).isFalse();
    }

    // --- Server-Sent Events ---

    @Test
    void aStreamJoinsItsRoomsAtSubscribeAndGetsRoomEvents() {
        EmbeddedChannel c = ws();
        c.writeInbound(bytes("GET /sse?key=k&ver=1&room=lobby HTTP/1.1\r\nHost: x\r\n\r\n"));
        String head = new String(Wire.outboundBytes(c), StandardCharsets.UTF_8);
        assertThat(head)
                .contains("200 OK")
                .contains(": h\n\n")
                .contains("event: join\ndata: lobby\n\n");

        push("lobby", 12, c);
        String events = new String(Wire.outboundBytes(c), StandardCharsets.UTF_8);
        assertThat(events)
                .contains(
                        "event: room\ndata: {\"msg\":{\"n\":12},\"mid\":12,\"gid\":0,\"room\":\"lobby\"}\n\n")
                .doesNotContain("id:");
    }

    @Test
    void aStreamWhoseRoomIsRefusedGetsAStatusNamingIt() {
        EmbeddedChannel c = ws();
        c.writeInbound(bytes("GET /sse?key=k&room=a,b HTTP/1.1\r\nHost: x\r\n\r\n"));
        String answer = new String(Wire.outboundBytes(c), StandardCharsets.UTF_8);
        assertThat(answer).startsWith("HTTP/1.1 400").contains("-j * name");
    }

    // --- the fan-out ---

    @Test
    void theFanOutWritesOneSharedFramePerFramingAndFormatAndFlushesOncePerBatch() {
        index = new RoomIndex(100, registry);
        joins = joins(Optional.empty());
        RoomFanout shared = new RoomFanout(index, roomMetrics, PooledByteBufAllocator.DEFAULT);
        List<EmbeddedChannel> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            EmbeddedChannel c = tcp();
            c.writeInbound(bytes(request("sub", "k" + i, "30", "", "1", "", "lobby")));
            outbound(c);
            members.add(c);
        }
        long flushes = count("comet.rooms.flushes");

        var first = shared.deliver("lobby", 1, "{\"n\":1}".getBytes());
        var second = shared.deliver("lobby", 2, "{\"n\":2}".getBytes());
        members.forEach(EmbeddedChannel::runPendingTasks);
        assertThat(first.join()).isEqualTo(3);
        assertThat(second.join()).isEqualTo(3);

        // EmbeddedChannel runs one loop for all: one batch, one flush per connection.
        assertThat(count("comet.rooms.flushes") - flushes).isEqualTo(3);
        List<ByteBuf> written = new ArrayList<>();
        for (EmbeddedChannel c : members) {
            ByteBuf one = c.readOutbound();
            ByteBuf two = c.readOutbound();
            assertThat(one.toString(StandardCharsets.UTF_8)).contains("\"mid\":1,");
            assertThat(two.toString(StandardCharsets.UTF_8)).contains("\"mid\":2,");
            two.release();
            written.add(one);
        }
        // Duplicates of one buffer: the same memory, no copy per member.
        assertThat(written.get(0).hasMemoryAddress()).isTrue();
        assertThat(written.get(1).memoryAddress()).isEqualTo(written.get(0).memoryAddress());
        assertThat(written.get(2).memoryAddress()).isEqualTo(written.get(0).memoryAddress());
        ByteBuf frame = written.get(0).unwrap();
        written.forEach(ByteBuf::release);
        members.forEach(EmbeddedChannel::finishAndReleaseAll);
        // Every member's duplicate and the fan-out's own reference released: the frame is free.
        assertThat(frame.refCnt()).isZero();
    }

    @Test
    void aRoomsNextMessagesAreHandedOnWhileEarlierOnesAreUnwrittenUpToTheWindowAndShareABatch() {
        EmbeddedChannel c = tcp();
        c.writeInbound(bytes(tcpSub("lobby")));
        outbound(c);
        long flushes = count("comet.rooms.flushes");
        int window = RoomFanout.MAX_UNWRITTEN_PER_ROOM;

        List<CompletableFuture<Integer>> handed = new ArrayList<>();
        for (int mid = 1; mid <= window + 1; mid++) {
            handed.add(fanout.deliver("lobby", mid, ("{\"n\":" + mid + "}").getBytes()));
        }
        // The event loop has not run, nothing is written: the first `window` messages are handed
        // on (the room's next push may go), the one after waits for the oldest to be written.
        for (CompletableFuture<Integer> f : handed.subList(0, window)) {
            assertThat(f).isCompletedWithValue(1);
        }
        assertThat(handed.get(window)).isNotDone();
        assertThat(outbound(c)).isEmpty();

        c.runPendingTasks();
        assertThat(handed.get(window)).isCompletedWithValue(1);
        // One batch: every message written in mid order, the connection flushed once.
        assertThat(count("comet.rooms.flushes") - flushes).isEqualTo(1);
        String written = outbound(c);
        int at = -1;
        for (int mid = 1; mid <= window + 1; mid++) {
            int next = written.indexOf("{\\\"n\\\":" + mid + "}");
            assertThat(next).as("mid %d after mid %d", mid, mid - 1).isGreaterThan(at);
            at = next;
        }
        // The window is free again: the next message is handed on at once.
        assertThat(fanout.deliver("lobby", window + 2, "{}".getBytes())).isCompletedWithValue(1);
        c.runPendingTasks();
        c.finishAndReleaseAll();
    }

    @Test
    void aMemberThatStopsReadingIsClosedAsASlowConsumerSharingItsConnectionsBound() {
        EmbeddedChannel c =
                new EmbeddedChannel(
                        new TcpInitializer(
                                ConnectionSettings.builder().maxPendingMessages(2).build(),
                                RecordingGate.admitting(),
                                replayer,
                                tcpMetrics,
                                joins));
        c.writeInbound(bytes(tcpSub("lobby")));
        outbound(c);
        StallingOutbound socket = StallingOutbound.stall(c);

        push("lobby", 1, c);
        push("lobby", 2, c);
        assertThat(c.isOpen()).isTrue();
        push("lobby", 3, c);

        assertThat(c.isOpen()).isFalse();
        assertThat(count("comet.tcp.closed.slowConsumer")).isEqualTo(1);
        assertThat(count("comet.rooms.undelivered")).isEqualTo(1);
        socket.discard();
        assertThat(index.memberCount()).isZero();
    }

    // --- broadcast ---

    /**
     * {@code n} TCP connections subscribed through {@code keys}, on event loops of {@code ticker}.
     */
    private List<EmbeddedChannel> subscribed(KeyChannels keys, MockTicker ticker, int n) {
        List<EmbeddedChannel> connections = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            EmbeddedChannel c =
                    EmbeddedChannel.builder()
                            .ticker(ticker)
                            .handlers(
                                    new TcpInitializer(
                                            ConnectionSettings.defaults(),
                                            new KeyChannelsGate(keys),
                                            replayer,
                                            tcpMetrics,
                                            joins))
                            .build();
            c.writeInbound(bytes(request("sub", "k" + i, "30", "", "1")));
            assertThat(outbound(c)).isEqualTo("+h\r\n");
            connections.add(c);
        }
        return connections;
    }

    @Test
    void aBroadcastReachesEveryConnectionOfEveryTransportSpreadOverTime() {
        MockTicker ticker = Ticker.newMockTicker();
        KeyChannels keys = new KeyChannels(64, registry);
        RoomFanout all =
                new RoomFanout(index, roomMetrics, PooledByteBufAllocator.DEFAULT, keys::all, 64);
        List<EmbeddedChannel> connections = subscribed(keys, ticker, 3);

        // Spread over 60 ms: three slices (at 0, 20 and 40 ms), one connection each.
        assertThat(all.deliver(Rooms.ALL, 77, "{\"all\":1}".getBytes(), 60).join()).isEqualTo(3);
        connections.forEach(EmbeddedChannel::runPendingTasks);
        // gopush-cluster's public message: gid 1.
        String json = "{\"msg\":{\"all\":1},\"mid\":77,\"gid\":1,\"room\":\"*\"}";
        List<String> got = new ArrayList<>();
        for (int step = 0; step < 3; step++) {
            int received = 0;
            for (EmbeddedChannel c : connections) {
                String out = outbound(c);
                if (!out.isEmpty()) {
                    assertThat(out).isEqualTo(frame(json));
                    got.add(out);
                }
            }
            assertThat(got).as("after %d ms", step * 20).hasSize(step + 1);
            ticker.advance(20, TimeUnit.MILLISECONDS);
            connections.forEach(EmbeddedChannel::runScheduledPendingTasks);
            connections.forEach(EmbeddedChannel::runPendingTasks);
        }
        // The next broadcast, not spread, comes after the first everywhere.
        all.deliver(Rooms.ALL, 78, "{\"all\":2}".getBytes(), 0);
        connections.forEach(EmbeddedChannel::runPendingTasks);
        for (EmbeddedChannel c : connections) {
            assertThat(outbound(c)).contains("\"mid\":78,");
        }
    }

    @Test
    void broadcastsAreCountedUntilWrittenAndRefusedBeyondTheBoundBeforeAnythingIsStored() {
        KeyChannels keys = new KeyChannels(64, registry);
        RoomFanout all =
                new RoomFanout(index, roomMetrics, PooledByteBufAllocator.DEFAULT, keys::all, 2);
        EmbeddedChannel c = subscribed(keys, Ticker.newMockTicker(), 1).get(0);
        List<AppendRequest> appended = new ArrayList<>();
        RoomPipeline owner =
                new RoomPipeline(
                        all,
                        RoomPeers.NONE,
                        request -> {
                            appended.add(request);
                            return CompletableFuture.completedFuture(
                                    AppendReply.newBuilder().setAppended(true).build());
                        },
                        MidClock.system(),
                        room -> true,
                        1024,
                        100,
                        100,
                        registry);

        // Two broadcasts answered and queued; the event loop has not written them yet.
        assertThat(
                        owner.push(
                                Rooms.ALL,
                                "{\"b\":1}".getBytes(),
                                60,
                                AppendClaim.random(),
                                () -> false))
                .succeedsWithin(Duration.ofSeconds(5));
        assertThat(all.deliver(Rooms.ALL, 2, "{\"b\":2}".getBytes(), 0)).isCompletedWithValue(1);
        assertThat(all.queuedBroadcasts()).isEqualTo(2);
        assertThat(count("comet.rooms.broadcasts.queued")).isEqualTo(2);

        // A third, pushed here: refused before its append, so nothing is stored for a retry.
        assertThat(
                        owner.push(
                                Rooms.ALL,
                                "{\"b\":3}".getBytes(),
                                60,
                                AppendClaim.random(),
                                () -> false))
                .failsWithin(Duration.ofSeconds(5))
                .withThrowableOfType(ExecutionException.class)
                .havingCause()
                .isInstanceOfSatisfying(
                        PushRejectedException.class,
                        e -> {
                            assertThat(e.reason())
                                    .isEqualTo(PushRejectedException.Reason.OVERLOADED);
                            assertThat(e.getMessage())
                                    .contains("2 broadcasts are queued")
                                    .contains("push.maxQueuedBroadcasts");
                        });
        assertThat(appended).hasSize(1);
        // Sent here by its owner (a DeliverRoom): refused too, not queued.
        assertThat(owner.deliver(Rooms.ALL, 4, "{\"b\":4}".getBytes(), 0))
                .failsWithin(Duration.ofSeconds(5))
                .withThrowableOfType(ExecutionException.class)
                .havingCause()
                .isInstanceOf(PushRejectedException.class);
        assertThat(count("comet.rooms.broadcasts.refused")).isEqualTo(2);
        // A room's push is not a broadcast: not bounded by them.
        assertThat(owner.push("lobby", "{}".getBytes(), 60, AppendClaim.random(), () -> false))
                .succeedsWithin(Duration.ofSeconds(5));

        // Written one after the other, in mid order; then there is room again.
        c.runPendingTasks();
        c.runPendingTasks();
        String out = outbound(c);
        assertThat(out).contains("{\"b\":1}").contains("{\"b\":2}").doesNotContain("\"b\":4");
        assertThat(out.indexOf("{\"b\":1}")).isLessThan(out.indexOf("{\"b\":2}"));
        assertThat(all.queuedBroadcasts()).isZero();
        assertThat(count("comet.rooms.broadcasts.queued")).isZero();
        assertThat(
                        owner.push(
                                Rooms.ALL,
                                "{\"b\":5}".getBytes(),
                                60,
                                AppendClaim.random(),
                                () -> false))
                .succeedsWithin(Duration.ofSeconds(5));
        c.runPendingTasks();
        assertThat(outbound(c)).contains("{\"b\":5}");
        c.finishAndReleaseAll();
    }

    @Test
    void aFanOutWithoutRoomForOneBroadcastIsRefusedAtConstruction() {
        assertThatThrownBy(
                        () ->
                                new RoomFanout(
                                        index,
                                        roomMetrics,
                                        PooledByteBufAllocator.DEFAULT,
                                        List::of,
                                        0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxQueuedBroadcasts must be at least 1, got 0");
    }
}
