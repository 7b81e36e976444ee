package io.pushbase.web.push;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.pushbase.cluster.NodeDetails;
import io.pushbase.cluster.message.AppendClaim;
import io.pushbase.cluster.message.KeyAppender;
import io.pushbase.cluster.message.MessageLog;
import io.pushbase.schema.client.MidClock;
import io.pushbase.schema.comet.v1.CloseReply;
import io.pushbase.schema.comet.v1.CloseRequest;
import io.pushbase.schema.comet.v1.PushClaim;
import io.pushbase.schema.comet.v1.PushManyReply;
import io.pushbase.schema.comet.v1.PushManyRequest;
import io.pushbase.schema.comet.v1.PushReply;
import io.pushbase.schema.comet.v1.PushRequest;
import io.pushbase.schema.message.v1.AppendRequest;
import io.pushbase.web.comet.CometDirectory.CometNode;
import io.pushbase.web.comet.CometOwners;
import io.pushbase.web.comet.Comets;
import io.pushbase.web.reply.Answer;
import io.pushbase.web.reply.Ret;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every branch of {@link PushRouter} against fakes of what it talks to: a comet client whose comets
 * answer as each test says ({@link FakeComets}), and a message log that keeps per key the head and
 * the stored messages as a message node does ({@link FakeMessageLog}), under a real {@link
 * KeyAppender} with a fixed clock.
 */
class PushRouterTest {
    private static final byte[] PAYLOAD = "{\"hello\":1}".getBytes(StandardCharsets.UTF_8);
    private static final long EXPIRE = 600;

    /** The fixed "now" of the clock, as a mid. */
    private static final long NOW = new MidClock(fixedClock()).now();

    private static final CometNode COMET_A = comet("comet-a", 7001);
    private static final CometNode COMET_B = comet("comet-b", 7002);

    private final MetricRegistry metrics = new MetricRegistry();
    private final Map<String, CometNode> placement = new HashMap<>();
    private final FakeComets comets = new FakeComets();
    private final FakeMessageLog log = new FakeMessageLog();
    private final List<String> deleted = new ArrayList<>();
    private boolean deletesFail;

    private final PushRouter router =
            new PushRouter(
                    owners(),
                    comets,
                    new KeyAppender(
                            log, new MidClock(fixedClock()), metrics.meter("web.push.conflicts")),
                    key -> {
                        if (deletesFail) {
                            return CompletableFuture.failedFuture(
                                    Status.UNAVAILABLE
                                            .withDescription("no message node answered")
                                            .asRuntimeException());
                        }
                        deleted.add(key);
                        return CompletableFuture.completedFuture(null);
                    },
                    metrics);

    @Test
    void aPushTheOwnerAnswersIsOkAndNotStoredByTheWebNode() {
        placement.put("k", COMET_A);

        Answer answer = router.push("k", PAYLOAD, EXPIRE).join();

        assertThat(answer.ret()).isEqualTo(Ret.OK);
        assertThat(comets.calls).containsExactly("push comet-a [k] expire 600");
        assertThat(comets.payloads).allSatisfy(p -> assertThat(p.toByteArray()).isEqualTo(PAYLOAD));
        assertThat(log.stored).isEmpty();
        assertThat(metrics.meter("web.push.fallback").getCount()).isZero();
    }

    @Test
    void aPushWhoseOwnerIsUnavailableIsStoredByTheWebNodeAfterEveryEarlierMidOfTheKey() {
        // The comet appended earlier pushes with mids ahead of this node's clock.
        long earlier = NOW + 5_000;
        log.heads.put("k", earlier);

        Answer answer = pushToACometThatAnswers(Status.UNAVAILABLE);

        assertThat(answer.ret()).isEqualTo(Ret.OK);
        assertThat(log.stored)
                .containsExactly(new FakeMessageLog.Stored("k", earlier + 1, "{\"hello\":1}", 600));
        assertThat(metrics.meter("web.push.fallback").getCount()).isEqualTo(1);
        // The fallback looks its claim up first, and the message node then takes a mid above the
        // head at once: no refused proposal.
        assertThat(metrics.meter("web.push.conflicts").getCount()).isZero();
    }

    @Test
    void aPushItsCometAppendedBeforeFailingToAnswerIsNotStoredAgain() {
        // The duplicate window of kill -9: the comet appended (and delivered) the push with the
        // claim the web node gave it, then died before answering.
        placement.put("k", COMET_A);
        comets.appendFirst.put(COMET_A.nodeName(), log);
        comets.fail(COMET_A, Status.UNAVAILABLE);

        Answer answer = router.push("k", PAYLOAD, EXPIRE).join();

        assertThat(answer.render(false)).isEqualTo("{\"ret\":0}".getBytes(StandardCharsets.UTF_8));
        assertThat(log.stored)
                .containsExactly(new FakeMessageLog.Stored("k", NOW - 1, "{\"hello\":1}", 600));
        assertThat(metrics.meter("web.push.fallback.found").getCount()).isEqualTo(1);
        assertThat(metrics.meter("web.push.fallback").getCount()).isZero();
        assertThat(comets.requests.get(0).getClaim().getClaim().size()).isEqualTo(16);
        assertThat(comets.requests.get(0).getClaim().getIdempotent()).isFalse();
    }

    @Test
    void aPushStoredByTheFallbackWhileItsCometIsUpClosesTheKeyThereSoItsClientsPullIt() {
        // The comet is up but failed the push (its append passed its deadline): the web node
        // stores it, and it reached none of the key's connections.
        placement.put("k", COMET_A);
        comets.fail(COMET_A, Status.DEADLINE_EXCEEDED);
        comets.closeAnswers.add(COMET_A.nodeName());

        Answer answer = router.push("k", PAYLOAD, EXPIRE).join();

        assertThat(answer.ret()).isEqualTo(Ret.OK);
        assertThat(log.stored).hasSize(1);
        // Closed only after it is stored, so the clients' pull finds it.
        assertThat(comets.calls)
                .containsExactly("push comet-a [k] expire 600", "close comet-a [k]");
        assertThat(metrics.meter("web.push.undelivered.closed").getCount()).isEqualTo(1);
    }

    @Test
    void aPushStoredByTheFallbackIsAcknowledgedWhenItsCometCannotBeToldToClose() {
        placement.put("k", COMET_A);
        comets.fail(COMET_A, Status.UNAVAILABLE);

        assertThat(router.push("k", PAYLOAD, EXPIRE).join().ret()).isEqualTo(Ret.OK);

        assertThat(comets.calls)
                .containsExactly("push comet-a [k] expire 600", "close comet-a [k]");
        assertThat(metrics.meter("web.push.undelivered.close.failed").getCount()).isEqualTo(1);
        assertThat(metrics.meter("web.push.undelivered.closed").getCount()).isZero();
    }

    @Test
    void theKeysOfAMultiKeyPushItsCometAppendedBeforeFailingAreNotStoredAgain() {
        placement.put("a1", COMET_A);
        placement.put("a2", COMET_A);
        // The comet appends the first key of its group, then fails.
        comets.appendFirst.put(COMET_A.nodeName(), log);
        comets.fail(COMET_A, Status.UNAVAILABLE);

        Answer answer = router.pushMany(List.of("a1", "a2"), PAYLOAD, EXPIRE).join();

        assertThat(answer.render(false)).isEqualTo("{\"ret\":0}".getBytes(StandardCharsets.UTF_8));
        assertThat(log.stored)
                .containsExactlyInAnyOrder(
                        new FakeMessageLog.Stored("a1", NOW - 1, "{\"hello\":1}", 600),
                        new FakeMessageLog.Stored("a2", NOW, "{\"hello\":1}", 600));
        assertThat(metrics.meter("web.push.fallback.found").getCount()).isEqualTo(1);
        assertThat(metrics.meter("web.push.fallback").getCount()).isEqualTo(1);
    }

    @Test
    void aDuplicateAnswerToAPushWithoutAnIdempotencyKeyClosesTheKeySoItsClientsPullIt() {
        // The comet's own earlier attempt took the mid (its answer lost): stored, delivered to
        // no one, answered duplicate.
        placement.put("k", COMET_A);
        comets.answerDuplicate = true;

        Answer answer = router.push("k", PAYLOAD, EXPIRE).join();

        assertThat(answer.render(false)).isEqualTo("{\"ret\":0}".getBytes(StandardCharsets.UTF_8));
        assertThat(comets.calls)
                .containsExactly("push comet-a [k] expire 600", "close comet-a [k]");
        assertThat(metrics.meter("web.push.undelivered.closed").getCount()).isEqualTo(1);
    }

    @Test
    void aDuplicateAnswerToAnOnlineOnlyPushClosesNothingAsThereIsNothingToPull() {
        placement.put("k", COMET_A);
        comets.answerDuplicate = true;

        Answer answer = router.push("k", PAYLOAD, 0).join();

        assertThat(answer.render(false)).isEqualTo("{\"ret\":0}".getBytes(StandardCharsets.UTF_8));
        assertThat(comets.calls).containsExactly("push comet-a [k] expire 0");
        assertThat(metrics.meter("web.push.undelivered.closed").getCount()).isZero();
    }

    @Test
    void theDuplicateKeysOfAMultiKeyPushWithoutAnIdempotencyKeyAreClosedAndNoOthers() {
        placement.put("a1", COMET_A);
        placement.put("a2", COMET_A);
        placement.put("b1", COMET_B);
        comets.duplicateKeys.put(COMET_A.nodeName(), List.of("a2"));

        Answer answer = router.pushMany(List.of("a1", "a2", "b1"), PAYLOAD, EXPIRE).join();

        assertThat(answer.render(false)).isEqualTo("{\"ret\":0}".getBytes(StandardCharsets.UTF_8));
        assertThat(comets.calls)
                .containsExactlyInAnyOrder(
                        "pushMany comet-a [a1, a2] expire 600",
                        "pushMany comet-b [b1] expire 600",
                        "close comet-a [a2]");
        assertThat(metrics.meter("web.push.duplicates").getCount()).isEqualTo(1);
        assertThat(metrics.meter("web.push.undelivered.closed").getCount()).isEqualTo(1);
    }

    @Test
    void theDuplicateKeysOfAnIdempotentOrOnlineOnlyMultiKeyRetryCloseNothing() {
        placement.put("a1", COMET_A);
        comets.duplicateKeys.put(COMET_A.nodeName(), List.of("a1"));

        router.pushMany(List.of("a1"), PAYLOAD, EXPIRE, "order-42").join();
        router.pushMany(List.of("a1"), PAYLOAD, 0).join();

        assertThat(comets.calls)
                .containsExactly(
                        "pushMany comet-a [a1] expire 600", "pushMany comet-a [a1] expire 0");
        assertThat(metrics.meter("web.push.duplicates").getCount()).isEqualTo(2);
        assertThat(metrics.meter("web.push.undelivered.closed").getCount()).isZero();
    }

    @Test
    void aPushWithAnIdempotencyKeyAnswersItsMidAndSendsTheDerivedClaim() {
        placement.put("k", COMET_A);

        Answer first = router.push("k", PAYLOAD, EXPIRE, "order-42").join();
        comets.answerDuplicate = true;
        Answer retry = router.push("k", PAYLOAD, EXPIRE, "order-42").join();

        assertThat(new String(first.render(false), StandardCharsets.UTF_8))
                .isEqualTo("{\"data\":{\"duplicate\":false,\"mid\":\"" + NOW + "\"},\"ret\":0}");
        assertThat(new String(retry.render(false), StandardCharsets.UTF_8))
                .isEqualTo("{\"data\":{\"duplicate\":true,\"mid\":\"" + NOW + "\"},\"ret\":0}");
        assertThat(comets.requests).hasSize(2);
        assertThat(comets.requests.get(0).getClaim()).isEqualTo(comets.requests.get(1).getClaim());
        assertThat(comets.requests.get(0).getClaim().getClaim())
                .isEqualTo(AppendClaim.fromIdempotencyKey("order-42"));
        assertThat(comets.requests.get(0).getClaim().getIdempotent()).isTrue();
        assertThat(comets.requests.get(0).getClaim().getIdempotencyWindowSeconds())
                .isEqualTo(PushRouter.DEFAULT_IDEMPOTENCY_WINDOW_SECONDS);
        assertThat(metrics.meter("web.push.duplicates").getCount()).isEqualTo(1);
        // A retry of a push acknowledged before: delivered then, no connection closed.
        assertThat(comets.calls).noneMatch(call -> call.startsWith("close"));
        assertThat(log.appends).isZero();
    }

    @Test
    void aRetryWithAnIdempotencyKeyStoredByTheFallbackIsFoundByTheNextFallback() {
        Answer first = router.push("nobody-owns-it", PAYLOAD, EXPIRE, "retry-me").join();
        Answer retry = router.push("nobody-owns-it", PAYLOAD, EXPIRE, "retry-me").join();
        Answer other = router.push("nobody-owns-it", PAYLOAD, EXPIRE, "another").join();

        assertThat(new String(first.render(false), StandardCharsets.UTF_8))
                .isEqualTo("{\"data\":{\"duplicate\":false,\"mid\":\"" + NOW + "\"},\"ret\":0}");
        assertThat(new String(retry.render(false), StandardCharsets.UTF_8))
                .isEqualTo("{\"data\":{\"duplicate\":true,\"mid\":\"" + NOW + "\"},\"ret\":0}");
        assertThat(new String(other.render(false), StandardCharsets.UTF_8))
                .contains("\"duplicate\":false", "\"mid\":\"" + (NOW + 1) + "\"");
        assertThat(log.stored)
                .containsExactly(
                        new FakeMessageLog.Stored("nobody-owns-it", NOW, "{\"hello\":1}", 600),
                        new FakeMessageLog.Stored("nobody-owns-it", NOW + 1, "{\"hello\":1}", 600));
        assertThat(metrics.meter("web.push.fallback.found").getCount()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(
            value = Status.Code.class,
            names = {"UNAVAILABLE", "DEADLINE_EXCEEDED", "FAILED_PRECONDITION", "INTERNAL"})
    void aPushTheOwnerCannotTakeIsStoredWithATimeLikeMid(Status.Code code) {
        Answer answer = pushToACometThatAnswers(Status.fromCode(code));

        assertThat(answer.ret()).isEqualTo(Ret.OK);
        assertThat(log.stored)
                .containsExactly(new FakeMessageLog.Stored("k", NOW, "{\"hello\":1}", 600));
    }

    @Test
    void aPushWithNoLiveCometIsStoredByTheWebNode() {
        Answer answer = router.push("nobody-owns-it", PAYLOAD, EXPIRE).join();

        assertThat(answer.ret()).isEqualTo(Ret.OK);
        assertThat(comets.calls).isEmpty();
        assertThat(log.stored)
                .containsExactly(
                        new FakeMessageLog.Stored("nobody-owns-it", NOW, "{\"hello\":1}", 600));
    }

    @Test
    void anOnlineOnlyPushWhoseCometIsDownAnswers1001AndStoresNothing() {
        placement.put("k", COMET_A);
        comets.fail(COMET_A, Status.UNAVAILABLE);

        Answer down = router.push("k", PAYLOAD, 0).join();
        Answer none = router.push("nobody-owns-it", PAYLOAD, 0).join();

        assertThat(down.ret()).isEqualTo(Ret.NO_COMET);
        assertThat(down.problem()).contains("comet comet-a", "UNAVAILABLE", "online-only");
        assertThat(none.ret()).isEqualTo(Ret.NO_COMET);
        assertThat(log.appends).isZero();
        assertThat(log.stored).isEmpty();
    }

    @Test
    void anOverloadedCometAnswers65535WithRetryAfterAndNothingIsStored() {
        Answer answer =
                pushToACometThatAnswers(Status.RESOURCE_EXHAUSTED.withDescription("queue full"));

        assertThat(answer.ret()).isEqualTo(Ret.INTERNAL);
        // As the web node's own bound answers: 503 with Retry-After (Route renders it).
        assertThat(answer.retryAfterSeconds()).isEqualTo(1);
        assertThat(answer.problem()).contains("RESOURCE_EXHAUSTED", "queue full");
        assertThat(log.appends).isZero();
        assertThat(metrics.meter("web.push.comet.overloaded").getCount()).isEqualTo(1);
    }

    @Test
    void aPushTheCometRefusesAsInvalidAnswers65534AndNothingIsStored() {
        Answer answer =
                pushToACometThatAnswers(
                        Status.INVALID_ARGUMENT.withDescription("expire over retention"));

        assertThat(answer.ret()).isEqualTo(Ret.PARAM);
        assertThat(answer.problem()).contains("INVALID_ARGUMENT", "expire over retention");
        assertThat(log.appends).isZero();
    }

    @Test
    void aPushNeitherTheCometNorAMessageNodeTookAnswers65535() {
        log.down = true;

        Answer answer = pushToACometThatAnswers(Status.UNAVAILABLE);

        assertThat(answer.ret()).isEqualTo(Ret.INTERNAL);
        assertThat(answer.problem()).contains("storing it failed too", "message nodes down");
        assertThat(metrics.meter("web.push.fallback.failed").getCount()).isEqualTo(1);
    }

    @Test
    void aMultiKeyPushSendsOnePushManyPerCometAndListsOnlyTheKeysNeitherPushedNorStored() {
        placement.put("a1", COMET_A);
        placement.put("b1", COMET_B);
        placement.put("a2", COMET_A);
        comets.failedKeys.put(COMET_A.nodeName(), List.of("a2"));

        Answer answer = router.pushMany(List.of("a1", "b1", "a2", "c1"), PAYLOAD, EXPIRE).join();

        assertThat(comets.calls)
                .containsExactlyInAnyOrder(
                        "pushMany comet-a [a1, a2] expire 600", "pushMany comet-b [b1] expire 600");
        // c1 has no live comet: stored by the web node. a2 failed on its comet: listed.
        assertThat(log.stored)
                .containsExactly(new FakeMessageLog.Stored("c1", NOW, "{\"hello\":1}", 600));
        assertThat(answer.ret()).isEqualTo(Ret.OK);
        assertThat(new String(answer.render(false), StandardCharsets.UTF_8))
                .isEqualTo("{\"data\":{\"fk\":[\"a2\"]},\"ret\":0}");
    }

    @Test
    void theKeysOfAnUnreachableCometAreStoredOneByOne() {
        placement.put("a1", COMET_A);
        placement.put("a2", COMET_A);
        placement.put("b1", COMET_B);
        comets.fail(COMET_A, Status.UNAVAILABLE);

        Answer answer = router.pushMany(List.of("a1", "a2", "b1"), PAYLOAD, EXPIRE).join();

        assertThat(answer.render(false)).isEqualTo("{\"ret\":0}".getBytes(StandardCharsets.UTF_8));
        assertThat(log.stored)
                .containsExactlyInAnyOrder(
                        new FakeMessageLog.Stored("a1", NOW, "{\"hello\":1}", 600),
                        new FakeMessageLog.Stored("a2", NOW, "{\"hello\":1}", 600));
        assertThat(metrics.meter("web.push.fallback").getCount()).isEqualTo(2);
        // Each key stored by the web node is closed on its comet (which fails here, counted).
        assertThat(comets.calls).contains("close comet-a [a1]", "close comet-a [a2]");
        assertThat(comets.calls).noneMatch(call -> call.startsWith("close comet-b"));
        assertThat(metrics.meter("web.push.undelivered.close.failed").getCount()).isEqualTo(2);
    }

    @Test
    void theKeysOfAnUnreachableCometAreFailedKeysWhenOnlineOnly() {
        placement.put("a1", COMET_A);
        placement.put("b1", COMET_B);
        comets.fail(COMET_A, Status.UNAVAILABLE);

        Answer answer = router.pushMany(List.of("a1", "b1"), PAYLOAD, 0).join();

        assertThat(new String(answer.render(false), StandardCharsets.UTF_8))
                .isEqualTo("{\"data\":{\"fk\":[\"a1\"]},\"ret\":0}");
        assertThat(log.appends).isZero();
        // Nothing stored: no connection to close.
        assertThat(comets.calls).noneMatch(call -> call.startsWith("close"));
    }

    @ParameterizedTest
    @EnumSource(
            value = Status.Code.class,
            names = {"RESOURCE_EXHAUSTED", "INVALID_ARGUMENT"})
    void theKeysOfACometThatRefusesTheirGroupAreFailedKeysAndNotStored(Status.Code code) {
        placement.put("a1", COMET_A);
        placement.put("a2", COMET_A);
        placement.put("b1", COMET_B);
        comets.fail(COMET_A, Status.fromCode(code));

        Answer answer = router.pushMany(List.of("a1", "a2", "b1"), PAYLOAD, EXPIRE).join();

        assertThat(new String(answer.render(false), StandardCharsets.UTF_8))
                .isEqualTo("{\"data\":{\"fk\":[\"a1\",\"a2\"]},\"ret\":0}");
        assertThat(log.appends).isZero();
    }

    @Test
    void aDeleteRemovesTheStoredMessagesThenClosesTheKeyOnItsComet() {
        placement.put("k", COMET_A);

        Answer answer = router.delete("k").join();

        assertThat(answer.ret()).isEqualTo(Ret.OK);
        assertThat(deleted).containsExactly("k");
        assertThat(comets.calls).containsExactly("close comet-a [k]");
    }

    @Test
    void aDeleteStandsWhenTheCometCannotBeToldAndFailsWhenNoMessageNodeAnswers() {
        placement.put("k", COMET_A);
        comets.fail(COMET_A, Status.UNAVAILABLE);

        assertThat(router.delete("k").join().ret()).isEqualTo(Ret.OK);
        assertThat(metrics.meter("web.delete.close.failed").getCount()).isEqualTo(1);

        deletesFail = true;
        Answer failed = router.delete("k").join();
        assertThat(failed.ret()).isEqualTo(Ret.INTERNAL);
        assertThat(failed.problem()).contains("no message node answered");
    }

    /** Pushes to key {@code k}, whose comet answers {@code status}. */
    private Answer pushToACometThatAnswers(Status status) {
        placement.put("k", COMET_A);
        comets.fail(COMET_A, status);
        return router.push("k", PAYLOAD, EXPIRE).join();
    }

    private CometOwners owners() {
        return key -> Optional.ofNullable(placement.get(key));
    }

    private static CometNode comet(String name, int grpcPort) {
        return new CometNode(
                name,
                "127.0.0.1:" + grpcPort,
                new NodeDetails(name, 1, Map.of("grpc", "127.0.0.1:" + grpcPort)));
    }

    private static Clock fixedClock() {
        return Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
    }

    /**
     * Comets that answer every call at once: with success (a {@code PushMany} with the failed keys
     * set for its comet), or with the status set for their comet. Records each call.
     */
    private static final class FakeComets implements Comets {
        final List<String> calls = new ArrayList<>();
        final List<ByteString> payloads = new ArrayList<>();
        final Map<String, Status> failures = new HashMap<>();
        final Map<String, List<String>> failedKeys = new HashMap<>();
        final Map<String, List<String>> duplicateKeys = new HashMap<>();
        // Comets that append the push (with the web node's claim) and then fail to answer.
        final Map<String, MessageLog> appendFirst = new HashMap<>();
        final List<PushRequest> requests = new ArrayList<>();
        // Comets whose Close answers while their pushes fail (up, but failing pushes).
        final Set<String> closeAnswers = new HashSet<>();
        boolean answerDuplicate;

        /** As a comet that appends before it fails: with the web node's claim, a mid below NOW. */
        private void appendFirst(
                CometNode comet, String key, ByteString payload, long expire, PushClaim claim) {
            MessageLog appends = appendFirst.get(comet.nodeName());
            if (appends != null) {
                appends.append(
                                AppendRequest.newBuilder()
                                        .setKey(key)
                                        .setMid(NOW - 1)
                                        .setPayload(payload)
                                        .setExpireSeconds(expire)
                                        .setClaim(claim.getClaim())
                                        .build())
                        .join();
            }
        }

        void fail(CometNode comet, Status status) {
            failures.put(comet.nodeName(), status);
        }

        @Override
        public synchronized CompletableFuture<PushReply> push(
                CometNode comet, PushRequest request) {
            calls.add(
                    "push "
                            + comet.nodeName()
                            + " ["
                            + request.getKey()
                            + "] expire "
                            + request.getExpireSeconds());
            payloads.add(request.getPayload());
            requests.add(request);
            appendFirst(
                    comet,
                    request.getKey(),
                    request.getPayload(),
                    request.getExpireSeconds(),
                    request.getClaim());
            return answer(
                    comet,
                    PushReply.newBuilder()
                            .setMid(NOW)
                            .setDelivered(answerDuplicate ? 0 : 1)
                            .setDuplicate(answerDuplicate)
                            .build());
        }

        @Override
        public synchronized CompletableFuture<PushManyReply> pushMany(
                CometNode comet, PushManyRequest request) {
            calls.add(
                    "pushMany "
                            + comet.nodeName()
                            + " "
                            + request.getKeysList()
                            + " expire "
                            + request.getExpireSeconds());
            payloads.add(request.getPayload());
            appendFirst(
                    comet,
                    request.getKeys(0),
                    request.getPayload(),
                    request.getExpireSeconds(),
                    request.getClaim());
            return answer(
                    comet,
                    PushManyReply.newBuilder()
                            .addAllFailedKeys(failedKeys.getOrDefault(comet.nodeName(), List.of()))
                            .addAllDuplicateKeys(
                                    duplicateKeys.getOrDefault(comet.nodeName(), List.of()))
                            .build());
        }

        @Override
        public synchronized CompletableFuture<CloseReply> close(
                CometNode comet, CloseRequest request) {
            calls.add("close " + comet.nodeName() + " [" + request.getKey() + "]");
            CloseReply closed = CloseReply.newBuilder().setClosed(1).build();
            return closeAnswers.contains(comet.nodeName())
                    ? CompletableFuture.completedFuture(closed)
                    : answer(comet, closed);
        }

        private <R> CompletableFuture<R> answer(CometNode comet, R reply) {
            Status failure = failures.get(comet.nodeName());
            return failure == null
                    ? CompletableFuture.completedFuture(reply)
                    : CompletableFuture.failedFuture(failure.asRuntimeException());
        }
    }
}
