package io.pushbase.comet.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import io.pushbase.cluster.message.AppendClaim;
import io.pushbase.cluster.message.MessageLog;
import io.pushbase.comet.channel.KeyChannels;
import io.pushbase.comet.testing.RecordingSubscriber;
import io.pushbase.comet.testing.StoreBackedLog;
import io.pushbase.schema.client.MidClock;
import io.pushbase.schema.message.v1.AppendReply;
import io.pushbase.store.StoreLimits;
import io.pushbase.store.StoredMessage;
import io.pushbase.store.memory.InMemoryMessageStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PushPipelineTest {
    private final InMemoryMessageStore store = new InMemoryMessageStore(StoreLimits.defaults(3600));
    private final MetricRegistry metrics = new MetricRegistry();
    private final KeyChannels channels = new KeyChannels(64, metrics);

    private PushPipeline comet(MidClock clock, MessageLog log) {
        return new PushPipeline(
                channels, log, clock, key -> true, 64 * 1024, 1000, 10_000, metrics);
    }

    private PushPipeline comet() {
        return comet(MidClock.system(), new StoreBackedLog(store));
    }

    private static byte[] json(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    @Test
    void aPushIsStoredBeforeItIsAcknowledgedAndReachesEveryConnectionOfTheKey() throws Exception {
        RecordingSubscriber a = new RecordingSubscriber("k");
        RecordingSubscriber b = new RecordingSubscriber("k");
        RecordingSubscriber other = new RecordingSubscriber("other");
        channels.add(a);
        channels.add(b);
        channels.add(other);

        Pushed pushed = await(comet().push("k", json("{\"test\":1}"), 600));
        long mid = pushed.mid();
        assertThat(pushed.delivered()).isEqualTo(2);

        assertThat(await(store.fetch("k", 0, 0)))
                .containsExactly(new StoredMessage(mid, json("{\"test\":1}")));
        assertThat(a.mids).containsExactly(mid);
        assertThat(b.payloads).containsExactly("{\"test\":1}");
        assertThat(other.mids).isEmpty();
        long now = MidClock.system().now();
        assertThat(mid).as("time-like: 100 ns units").isBetween(now - 10_000_000L, now);
    }

    @Test
    void aRetriedIdempotentPushAnswersTheFirstMidAndIsNeitherStoredNorDeliveredAgain()
            throws Exception {
        RecordingSubscriber sub = new RecordingSubscriber("idem");
        channels.add(sub);
        PushPipeline comet = comet();
        AppendClaim claim =
                new AppendClaim(AppendClaim.fromIdempotencyKey("order-42"), true, true, 3600);

        Pushed first = await(comet.push("idem", json("{\"order\":42}"), 600, claim));
        Pushed between = await(comet.push("idem", json("{\"other\":1}"), 600));
        Pushed retry = await(comet.push("idem", json("{\"order\":42}"), 600, claim));

        assertThat(first.duplicate()).isFalse();
        assertThat(first.delivered()).isEqualTo(1);
        assertThat(retry).isEqualTo(new Pushed(first.mid(), 0, true));
        assertThat(sub.mids).containsExactly(first.mid(), between.mid());
        assertThat(await(store.fetch("idem", 0, 0)))
                .extracting(StoredMessage::mid)
                .containsExactly(first.mid(), between.mid());
        assertThat(metrics.meter("comet.push.duplicates").getCount()).isEqualTo(1);
        // The next push's mid still grows past both.
        assertThat(await(comet.push("idem", json("{}"), 600)).mid()).isGreaterThan(between.mid());
    }

    @Test
    void aPushWhoseCallerGaveUpBeforeItsTurnIsNotAppended() throws Exception {
        // The web node's deadline passed (it stores the push itself): appending now would propose
        // a later mid than the web node's and store the push twice.
        RecordingSubscriber sub = new RecordingSubscriber("gone");
        channels.add(sub);
        AppendClaim shared = new AppendClaim(AppendClaim.randomBytes(), false, true, 0);

        assertThatThrownBy(() -> await(comet().push("gone", json("{}"), 600, shared, () -> true)))
                .hasCauseInstanceOf(PushRejectedException.class)
                .hasMessageContaining("gave up");
        assertThat(await(store.fetch("gone", 0, 0))).isEmpty();
        assertThat(sub.mids).isEmpty();
    }

    @Test
    void aPushWhoseSharedClaimHoldsTheHeadElsewhereIsNotStoredTwice() throws Exception {
        // A web node's fallback stored the push (its comet did not answer in time) with the claim
        // it had given the comet; the comet's own append, proposing a smaller mid, arrives after.
        RecordingSubscriber sub = new RecordingSubscriber("late");
        channels.add(sub);
        AppendClaim shared = new AppendClaim(AppendClaim.randomBytes(), false, true, 0);
        long fallbackMid = MidClock.system().now() + 10_000_000L; // ahead of the comet's clock
        assertThat(
                        await(
                                        store.append(
                                                "late",
                                                fallbackMid,
                                                shared.bytes().toByteArray(),
                                                json("{\"n\":1}"),
                                                600))
                                .appended())
                .isTrue();

        Pushed pushed = await(comet().push("late", json("{\"n\":1}"), 600, shared));

        assertThat(pushed).isEqualTo(new Pushed(fallbackMid, 0, true));
        assertThat(sub.mids).isEmpty();
        assertThat(await(store.fetch("late", 0, 0)))
                .extracting(StoredMessage::mid)
                .containsExactly(fallbackMid);
    }

    @Test
    void concurrentPushesToOneKeyArriveInStrictlyIncreasingMidOrder() throws Exception {
        RecordingSubscriber sub = new RecordingSubscriber("busy");
        channels.add(sub);
        PushPipeline comet = comet();
        List<CompletableFuture<Pushed>> pushes = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            Thread th =
                    new Thread(
                            () -> {
                                for (int i = 0; i < 50; i++) {
                                    CompletableFuture<Pushed> f =
                                            comet.push("busy", json("{\"t\":" + thread + "}"), 600);
                                    synchronized (pushes) {
                                        pushes.add(f);
                                    }
                                }
                            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        for (CompletableFuture<Pushed> f : pushes) {
            await(f);
        }
        assertThat(sub.mids).hasSize(200).isSorted().doesNotHaveDuplicates();
        assertThat(await(store.fetch("busy", 0, 0)).stream().map(StoredMessage::mid).toList())
                .isEqualTo(sub.mids.subList(100, 200));
    }

    @Test
    void twoCometsThatBothBelieveTheyOwnAKeyStillProduceIncreasingMids() throws Exception {
        // The second comet's clock is an hour behind: its own proposals would go backwards.
        PushPipeline first = comet();
        PushPipeline second =
                comet(
                        new MidClock(Clock.offset(Clock.systemUTC(), Duration.ofHours(-1))),
                        new StoreBackedLog(store));
        List<Long> acknowledged = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            PushPipeline comet = i % 2 == 0 ? first : second;
            acknowledged.add(await(comet.push("shared", json("{\"i\":" + i + "}"), 600)).mid());
        }
        assertThat(acknowledged).isSorted().doesNotHaveDuplicates();
        assertThat(await(store.fetch("shared", 0, 0)).stream().map(StoredMessage::mid).toList())
                .isEqualTo(acknowledged);
        assertThat(metrics.meter("comet.push.conflicts").getCount()).isPositive();
    }

    @Test
    void anOnlineOnlyPushIsDeliveredNotStoredAndStillOrdered() throws Exception {
        RecordingSubscriber sub = new RecordingSubscriber("live");
        channels.add(sub);
        long online = await(comet().push("live", json("{\"now\":true}"), 0)).mid();
        long stored = await(comet().push("live", json("{\"later\":true}"), 600)).mid();
        assertThat(sub.mids).containsExactly(online, stored);
        assertThat(stored).isGreaterThan(online);
        assertThat(await(store.fetch("live", 0, 0)))
                .containsExactly(new StoredMessage(stored, json("{\"later\":true}")));
    }

    @Test
    void aKeyThisCometDoesNotOwnIsRefusedAndNothingHappens() throws Exception {
        RecordingSubscriber sub = new RecordingSubscriber("elsewhere");
        channels.add(sub);
        PushPipeline notOwner =
                new PushPipeline(
                        channels,
                        new StoreBackedLog(store),
                        MidClock.system(),
                        key -> false,
                        1024,
                        10,
                        10,
                        metrics);
        assertThatThrownBy(() -> await(notOwner.push("elsewhere", json("{}"), 600)))
                .hasCauseInstanceOf(PushRejectedException.class)
                .hasMessageContaining("does not own key 'elsewhere'");
        assertThat(await(store.fetch("elsewhere", 0, 0))).isEmpty();
        assertThat(sub.mids).isEmpty();
        assertThat(metrics.meter("comet.push.rejected").getCount()).isEqualTo(1);
    }

    @Test
    void pushesBeyondTheQueueBoundOfAKeyAreRefusedNotQueued() throws Exception {
        List<CompletableFuture<AppendReply>> held = new ArrayList<>();
        MessageLog stalled =
                request -> {
                    CompletableFuture<AppendReply> f = new CompletableFuture<>();
                    held.add(f);
                    return f;
                };
        PushPipeline comet =
                new PushPipeline(
                        channels, stalled, MidClock.system(), key -> true, 1024, 3, 100, metrics);
        List<CompletableFuture<Pushed>> accepted = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            accepted.add(comet.push("slow", json("{}"), 600));
        }
        CompletableFuture<Pushed> fourth = comet.push("slow", json("{}"), 600);
        assertThatThrownBy(() -> await(fourth))
                .hasCauseInstanceOf(PushRejectedException.class)
                .hasMessageContaining("3 pushes already queued for key 'slow'");
        assertThat(accepted).noneMatch(CompletableFuture::isDone);
        assertThat(held).hasSize(1); // one at a time per key
        held.get(0).complete(AppendReply.newBuilder().setAppended(true).build());
        long firstMid = await(accepted.get(0)).mid();
        assertThat(firstMid).isPositive();
        assertThat(held).hasSize(2);
    }

    @Test
    void aFailedAppendFailsThePushAndDeliversNothing() throws Exception {
        RecordingSubscriber sub = new RecordingSubscriber("down");
        channels.add(sub);
        MessageLog down =
                request ->
                        CompletableFuture.failedFuture(
                                new IllegalStateException("no message node could take it"));
        PushPipeline comet = comet(MidClock.system(), down);
        assertThatThrownBy(() -> await(comet.push("down", json("{}"), 600)))
                .isInstanceOf(ExecutionException.class)
                .hasMessageContaining("no message node could take it");
        assertThat(sub.mids).isEmpty();
        assertThat(metrics.meter("comet.push.failed").getCount()).isEqualTo(1);
        // The key is not stuck: the next push goes through once the log is back.
        PushPipeline recovered = comet();
        assertThat(await(recovered.push("down", json("{}"), 600)).mid()).isPositive();
    }

    @Test
    void invalidPushesAreRefusedNamingTheProblemAndNothingIsStored() throws Exception {
        PushPipeline comet =
                new PushPipeline(
                        channels,
                        new StoreBackedLog(store),
                        MidClock.system(),
                        key -> true,
                        16,
                        10,
                        10,
                        metrics);
        assertRefused(comet.push("", json("{}"), 60), "key must not be empty");
        assertRefused(comet.push("x".repeat(257), json("{}"), 60), "key is 257 bytes");
        assertRefused(comet.push("k", new byte[0], 60), "message must not be empty");
        assertRefused(comet.push("k", new byte[17], 60), "message is 17 bytes, at most 16");
        assertRefused(comet.push("k", json("{}"), -1), "expire must not be negative");
        assertRefused(comet.pushMany(List.of(), json("{}"), 60), "keys must not be empty");
        assertRefused(comet.pushMany(List.of("ok", ""), json("{}"), 60), "key must not be empty");
        assertThat(await(store.fetch("k", 0, 0))).isEmpty();
        assertThat(await(store.fetch("ok", 0, 0))).isEmpty();
    }

    private static void assertRefused(CompletableFuture<?> f, String why) {
        assertThatThrownBy(() -> await(f))
                .hasCauseInstanceOf(PushRejectedException.class)
                .hasMessageContaining(why)
                .cause()
                .extracting(e -> ((PushRejectedException) e).reason())
                .isEqualTo(PushRejectedException.Reason.INVALID);
    }

    @Test
    void aRetriedMultiKeyPushNamesTheKeysPushedBeforeAsDuplicatesAndDeliversOnlyTheOthers()
            throws Exception {
        RecordingSubscriber one = new RecordingSubscriber("one");
        RecordingSubscriber two = new RecordingSubscriber("two");
        channels.add(one);
        channels.add(two);
        PushPipeline comet = comet();
        AppendClaim claim =
                new AppendClaim(AppendClaim.fromIdempotencyKey("order-43"), true, true, 3600);
        Pushed first = await(comet.push("one", json("{\"order\":43}"), 600, claim));

        PushedMany retry =
                await(
                        comet.pushMany(
                                List.of("one", "two"),
                                json("{\"order\":43}"),
                                600,
                                claim,
                                () -> false));

        assertThat(retry).isEqualTo(new PushedMany(List.of(), List.of("one")));
        assertThat(one.mids).containsExactly(first.mid());
        assertThat(two.mids).hasSize(1);
        assertThat(await(store.fetch("one", 0, 0))).hasSize(1);
    }

    @Test
    void pushManyReportsExactlyTheKeysThatFailed() throws Exception {
        StoreBackedLog real = new StoreBackedLog(store);
        MessageLog flaky =
                request ->
                        request.getKey().startsWith("bad")
                                ? CompletableFuture.failedFuture(new IllegalStateException("down"))
                                : real.append(request);
        PushPipeline comet = comet(MidClock.system(), flaky);
        PushedMany pushed =
                await(
                        comet.pushMany(
                                List.of("good1", "bad1", "good2", "bad2", "good1"),
                                json("{}"),
                                60));
        assertThat(pushed.failedKeys()).containsExactlyInAnyOrder("bad1", "bad2");
        assertThat(pushed.duplicateKeys()).isEmpty();
        assertThat(await(store.fetch("good1", 0, 0))).hasSize(1);
        assertThat(await(store.fetch("good2", 0, 0))).hasSize(1);
    }
}
