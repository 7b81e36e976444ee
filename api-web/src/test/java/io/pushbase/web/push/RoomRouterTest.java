package io.pushbase.web.push;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.grpc.Status;
import io.pushbase.cluster.NodeDetails;
import io.pushbase.cluster.message.KeyAppender;
import io.pushbase.schema.client.MidClock;
import io.pushbase.schema.comet.v1.DeliverRoomReply;
import io.pushbase.schema.comet.v1.DeliverRoomRequest;
import io.pushbase.schema.comet.v1.PushRoomReply;
import io.pushbase.schema.comet.v1.PushRoomRequest;
import io.pushbase.schema.message.v1.AppendRequest;
import io.pushbase.web.comet.CometDirectory.CometNode;
import io.pushbase.web.comet.RoomComets;
import io.pushbase.web.reply.Answer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * {@link RoomRouter}'s answers and its sends to every comet, against a fake owner comet (which
 * answers, fails, or appends before it fails, as each test says) and a message log that keeps heads
 * and claims as a message node does ({@link FakeMessageLog}), under a real room {@link KeyAppender}
 * with a fixed clock.
 */
class RoomRouterTest {
    private static final byte[] PAYLOAD = "{\"hello\":1}".getBytes(StandardCharsets.UTF_8);
    private static final long EXPIRE = 600;
    private static final String ROOM = "lobby";
    private static final long NOW = new MidClock(fixedClock()).now();
    private static final CometNode OWNER =
            new CometNode(
                    "comet-a",
                    "127.0.0.1:7001",
                    new NodeDetails("comet-a", 1, Map.of("grpc", "127.0.0.1:7001")));
    private static final List<String> EVERY_COMET = List.of("127.0.0.1:7001", "127.0.0.1:7002");

    private final MetricRegistry metrics = new MetricRegistry();
    private final FakeMessageLog log = new FakeMessageLog();
    private final FakeOwner comets = new FakeOwner();
    private final RoomRouter router =
            new RoomRouter(
                    room -> Optional.of(OWNER),
                    comets,
                    KeyAppender.forRooms(
                            log, new MidClock(fixedClock()), metrics.meter("conflicts")),
                    () -> EVERY_COMET,
                    3600,
                    metrics);

    @Test
    void aPushTheOwnerTookIsSentToNoCometByTheWebNode() {
        Answer answer = router.push(ROOM, PAYLOAD, EXPIRE, null).join();

        assertThat(render(answer))
                .isEqualTo("{\"data\":{\"duplicate\":false,\"mid\":\"" + NOW + "\"},\"ret\":0}");
        assertThat(comets.delivered).isEmpty();
    }

    @Test
    void aPushTheFallbackStoredIsSentToEveryComet() {
        comets.failure = Status.UNAVAILABLE;

        Answer answer = router.push(ROOM, PAYLOAD, EXPIRE, null).join();

        assertThat(render(answer)).contains("\"duplicate\":false");
        assertThat(comets.delivered)
                .containsExactlyInAnyOrder("127.0.0.1:7001 " + NOW, "127.0.0.1:7002 " + NOW);
        assertThat(metrics.meter("web.room.push.fallback").getCount()).isEqualTo(1);
        assertThat(metrics.meter("web.room.push.undelivered.resent").getCount()).isZero();
    }

    @Test
    void aPushTheOwnerAppendedBeforeFailingIsSentToEveryCometUnderItsMid() {
        // The owner's append landed after it had failed the push: stored, delivered by no one.
        comets.failure = Status.DEADLINE_EXCEEDED;
        comets.appendFirst = true;

        Answer answer = router.push(ROOM, PAYLOAD, EXPIRE, null).join();

        assertThat(render(answer))
                .isEqualTo(
                        "{\"data\":{\"duplicate\":true,\"mid\":\"" + (NOW - 1) + "\"},\"ret\":0}");
        assertThat(log.stored)
                .containsExactly(
                        new FakeMessageLog.Stored(
                                "room " + ROOM, NOW - 1, "{\"hello\":1}", EXPIRE));
        assertThat(comets.delivered)
                .containsExactlyInAnyOrder(
                        "127.0.0.1:7001 " + (NOW - 1), "127.0.0.1:7002 " + (NOW - 1));
        assertThat(metrics.meter("web.room.push.fallback.found").getCount()).isEqualTo(1);
        assertThat(metrics.meter("web.room.push.undelivered.resent").getCount()).isEqualTo(1);
    }

    @Test
    void aDuplicateAnswerToAPushWithoutAnIdempotencyKeyIsSentToEveryComet() {
        comets.answerDuplicate = true;

        router.push(ROOM, PAYLOAD, EXPIRE, null).join();

        assertThat(comets.delivered)
                .containsExactlyInAnyOrder("127.0.0.1:7001 " + NOW, "127.0.0.1:7002 " + NOW);
        assertThat(metrics.meter("web.room.push.undelivered.resent").getCount()).isEqualTo(1);
    }

    @Test
    void aPushWithAnIdempotencyKeyFoundOrAnsweredDuplicateIsNeverSentAgain() {
        // Its duplicate may be a retry of a push delivered long ago.
        comets.answerDuplicate = true;
        router.push(ROOM, PAYLOAD, EXPIRE, "order-1").join();

        comets.answerDuplicate = false;
        comets.failure = Status.DEADLINE_EXCEEDED;
        comets.appendFirst = true;
        Answer found = router.push(ROOM, PAYLOAD, EXPIRE, "order-2").join();

        assertThat(render(found)).contains("\"duplicate\":true");
        assertThat(comets.delivered).isEmpty();
        assertThat(metrics.meter("web.room.push.duplicates").getCount()).isEqualTo(2);
        assertThat(metrics.meter("web.room.push.undelivered.resent").getCount()).isZero();
    }

    private static String render(Answer answer) {
        return new String(answer.render(false), StandardCharsets.UTF_8);
    }

    private static Clock fixedClock() {
        return Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
    }

    /**
     * The room's owner: takes the push (mid {@code NOW}), answers it as a duplicate, or fails with
     * {@link #failure} — after appending it to the log with the web node's claim (a mid below
     * {@code NOW}) when {@link #appendFirst}. Records every {@code DeliverRoom} as "address mid".
     */
    private final class FakeOwner implements RoomComets {
        final List<String> delivered = new ArrayList<>();
        Status failure;
        boolean appendFirst;
        boolean answerDuplicate;

        @Override
        public synchronized CompletableFuture<PushRoomReply> pushRoom(
                CometNode comet, PushRoomRequest request) {
            if (appendFirst) {
                log.append(
                                AppendRequest.newBuilder()
                                        .setRoom(request.getRoom())
                                        .setMid(NOW - 1)
                                        .setPayload(request.getPayload())
                                        .setExpireSeconds(request.getExpireSeconds())
                                        .setClaim(request.getClaim().getClaim())
                                        .build())
                        .join();
            }
            if (failure != null) {
                return CompletableFuture.failedFuture(failure.asRuntimeException());
            }
            return CompletableFuture.completedFuture(
                    PushRoomReply.newBuilder().setMid(NOW).setDuplicate(answerDuplicate).build());
        }

        @Override
        public synchronized CompletableFuture<DeliverRoomReply> deliverRoom(
                String grpcAddress, DeliverRoomRequest request) {
            delivered.add(grpcAddress + " " + request.getMid());
            return CompletableFuture.completedFuture(DeliverRoomReply.getDefaultInstance());
        }
    }
}
