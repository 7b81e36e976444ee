package io.pushbase.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link MessageStore} must have. Subclasses provide a store built with {@link
 * #LIMITS} and the hooks to look beneath it. Keys are unique per test, so a subclass may share one
 * backing store across tests.
 */
public abstract class MessageStoreContract {
    protected static final int CAP = 20;
    protected static final int TRIM_EVERY = 5;
    protected static final long RETENTION = 3600;
    protected static final StoreLimits LIMITS = new StoreLimits(1024, CAP, RETENTION, 1000);

    protected abstract MessageStore store();

    /** Rows really held for {@code key}, beyond what reads show (expired or over the cap). */
    protected abstract int heldRows(String key) throws Exception;

    /** Waits until background trimming has settled. */
    protected void awaitTrims() throws Exception {}

    /** Pushes in-memory state to disk where the store has such a notion. */
    protected void flush() throws Exception {}

    /** Two distinct keys the store files under the same bucket. */
    protected abstract List<String> twoKeysInOneBucket();

    private final String run = UUID.randomUUID().toString().substring(0, 8);

    protected String key(String name) {
        return "k-" + run + "-" + name;
    }

    protected static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    protected static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    private static List<Long> mids(List<StoredMessage> messages) {
        return messages.stream().map(StoredMessage::mid).toList();
    }

    /**
     * Places one message through {@link MessageStore#append} (claim derived from key and mid) and
     * checks that the store took {@code mid}: tests that need messages in place use it.
     */
    protected static void place(
            MessageStore store, String key, long mid, byte[] payload, long expireSeconds)
            throws Exception {
        byte[] claim = bytes("place-" + mid);
        assertThat(await(store.append(key, mid, claim, payload, expireSeconds)))
                .as("append of mid %d to %s", mid, key)
                .isEqualTo(new AppendResult(true, mid));
    }

    private void place(String key, long mid, byte[] payload, long expireSeconds) throws Exception {
        place(store(), key, mid, payload, expireSeconds);
    }

    /** Places mids 1 to {@code last} of {@code key}, payload {@code m<mid>}, expire 600 s. */
    private void placeOneTo(String key, int last) throws Exception {
        for (long mid = 1; mid <= last; mid++) {
            place(key, mid, bytes("m" + mid), 600);
        }
    }

    @Test
    void roundTripKeepsExactMidsNearTwoToTheSixtyTwo() throws Exception {
        String k = key("exact");
        long base = 1L << 62;
        // ascending: an append takes only mids larger than every earlier one
        long[] mids = {(1L << 53) + 1, 17952546363411611L, base + 1, base + 2, base + 3};
        for (long mid : mids) {
            place(k, mid, bytes("{\"m\":" + mid + "}"), 600);
        }
        List<StoredMessage> got = await(store().fetch(k, 0, 0));
        assertThat(mids(got))
                .containsExactly((1L << 53) + 1, 17952546363411611L, base + 1, base + 2, base + 3);
        assertThat(got.get(2).payload()).isEqualTo(bytes("{\"m\":" + (base + 1) + "}"));
        assertThat(await(store().last(k))).isEqualTo(base + 3);
    }

    @Test
    void fetchAnswersWhenEachMessageExpires() throws Exception {
        String k = key("expiry");
        long before = System.currentTimeMillis();
        place(k, 10, bytes("{\"short\":1}"), 60);
        place(k, 20, bytes("{\"long\":1}"), 600);
        long after = System.currentTimeMillis();
        List<StoredMessage> got = await(store().fetch(k, 0, 0));
        assertThat(mids(got)).containsExactly(10L, 20L);
        // The store's clock (HBase: the cell's timestamp) stamps the write, so allow a second.
        assertThat(got.get(0).expiresAtMillis()).isBetween(before + 59_000, after + 61_000);
        assertThat(got.get(1).expiresAtMillis()).isBetween(before + 599_000, after + 601_000);
    }

    @Test
    void fetchAnswersAscendingWhateverTheWriteOrder() throws Exception {
        String k = key("order");
        for (long mid : new long[] {10, 20, 30, 40, 50}) {
            place(k, mid, bytes("m" + mid), 600);
        }
        // Retries of earlier appends (answers lost) write their rows again, in any order.
        for (long mid : new long[] {50, 10, 40, 20, 30}) {
            assertThat(await(store().append(k, mid, bytes("place-" + mid), bytes("m" + mid), 600)))
                    .isEqualTo(new AppendResult(true, 50));
        }
        assertThat(mids(await(store().fetch(k, 0, 0)))).containsExactly(10L, 20L, 30L, 40L, 50L);
    }

    @Test
    void afterIsExclusiveAndLimitTakesTheOldestAfterIt() throws Exception {
        String k = key("after");
        for (long mid = 1; mid <= 10; mid++) {
            place(k, mid, bytes("m" + mid), 600);
        }
        assertThat(mids(await(store().fetch(k, 4, 0)))).containsExactly(5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(mids(await(store().fetch(k, 4, 3)))).containsExactly(5L, 6L, 7L);
        assertThat(await(store().fetch(k, 10, 0))).isEmpty();
        assertThat(mids(await(store().fetch(k, -5, 2)))).containsExactly(1L, 2L);
        assertThat(await(store().fetch(k, Long.MAX_VALUE, 0))).isEmpty();
    }

    @Test
    void unknownKeyHasNoMessagesAndLastZero() throws Exception {
        assertThat(await(store().fetch(key("nobody"), 0, 0))).isEmpty();
        assertThat(await(store().last(key("nobody")))).isZero();
    }

    @Test
    void expiredMessagesAreNeverReturnedAlsoAfterAFlush() throws Exception {
        String k = key("ttl");
        place(k, 1, bytes("short"), 1);
        place(k, 2, bytes("long"), 600);
        place(k, 3, bytes("short-too"), 1);
        assertThat(mids(await(store().fetch(k, 0, 0)))).containsExactly(1L, 2L, 3L);
        flush();

        Thread.sleep(1_600);
        assertThat(mids(await(store().fetch(k, 0, 0)))).containsExactly(2L);
        assertThat(await(store().last(k))).isEqualTo(2L);
        flush();
        assertThat(mids(await(store().fetch(k, 0, 0)))).containsExactly(2L);
    }

    @Test
    void onlyTheNewestCapMessagesAreKeptAndReturned() throws Exception {
        String k = key("cap");
        int total = CAP + 4 * TRIM_EVERY + 3;
        for (long mid = 1; mid <= total; mid++) {
            place(k, mid, bytes("m" + mid), 600);
        }
        List<Long> expected = new ArrayList<>();
        for (long mid = total - CAP + 1; mid <= total; mid++) {
            expected.add(mid);
        }
        assertThat(mids(await(store().fetch(k, 0, 0)))).isEqualTo(expected);
        assertThat(mids(await(store().fetch(k, 0, 1000)))).isEqualTo(expected);
        assertThat(mids(await(store().fetch(k, 0, 2)))).isEqualTo(expected.subList(0, 2));
        awaitTrims();
        assertThat(heldRows(k)).isBetween(CAP, CAP + TRIM_EVERY - 1);
    }

    @Test
    void aPageSaysWhetherMoreMessagesFollowIt() throws Exception {
        String k = key("more");
        for (long mid = 1; mid <= 5; mid++) {
            place(k, mid, bytes("m" + mid), 600);
        }
        FetchPage cut = await(store().fetch(k, 0, 3, false));
        assertThat(mids(cut.messages())).containsExactly(1L, 2L, 3L);
        assertThat(cut.more()).isTrue();
        // Exactly the rest: the page is full, and nothing follows it.
        FetchPage rest = await(store().fetch(k, 3, 2, true));
        assertThat(mids(rest.messages())).containsExactly(4L, 5L);
        assertThat(rest.more()).isFalse();
        assertThat(await(store().fetch(k, 5, 2, false)).more()).isFalse();
        assertThat(await(store().fetch(k, 0, 0, false)).more()).isFalse();
    }

    @Test
    void aPageOfTheCapWindowSaysMoreOnlyInsideIt() throws Exception {
        String k = key("more-cap");
        int total = CAP + 2 * TRIM_EVERY + 3;
        placeOneTo(k, total);
        // Whatever the trimmer has done yet: pages of the newest CAP only.
        FetchPage first = await(store().fetch(k, 0, CAP - 1, false));
        assertThat(mids(first.messages())).first().isEqualTo((long) total - CAP + 1);
        assertThat(first.more()).isTrue();
        FetchPage last = await(store().fetch(k, total - 1, CAP, false));
        assertThat(mids(last.messages())).containsExactly((long) total);
        assertThat(last.more()).isFalse();
        FetchPage whole = await(store().fetch(k, 0, 0, false));
        assertThat(whole.messages()).hasSize(CAP);
        assertThat(whole.more()).isFalse();
    }

    @Test
    void deleteRemovesEveryMessageOfTheKeyOnly() throws Exception {
        String gone = key("del");
        String kept = key("del-neighbour");
        for (long mid = 1; mid <= 5; mid++) {
            place(gone, mid, bytes("x"), 600);
            place(kept, mid, bytes("y"), 600);
        }
        await(store().delete(gone));
        assertThat(await(store().fetch(gone, 0, 0))).isEmpty();
        assertThat(await(store().last(gone))).isZero();
        assertThat(await(store().fetch(kept, 0, 0))).hasSize(5);
        await(store().delete(key("never-existed")));

        place(gone, 6, bytes("after delete"), 600);
        assertThat(mids(await(store().fetch(gone, 0, 0)))).containsExactly(6L);
    }

    @Test
    void twoKeysInTheSameBucketNeverSeeEachOthersMessages() throws Exception {
        List<String> pair = twoKeysInOneBucket();
        String a = pair.get(0);
        String b = pair.get(1);
        place(a, 100, bytes("for a"), 600);
        place(b, 200, bytes("for b"), 600);
        place(a, 300, bytes("for a again"), 600);
        assertThat(mids(await(store().fetch(a, 0, 0)))).containsExactly(100L, 300L);
        assertThat(mids(await(store().fetch(b, 0, 0)))).containsExactly(200L);
        assertThat(await(store().last(b))).isEqualTo(200L);
        await(store().delete(b));
        assertThat(mids(await(store().fetch(a, 0, 0)))).containsExactly(100L, 300L);
    }

    @Test
    void keyOfExactly256Utf8BytesIsAccepted() throws Exception {
        String k = "é".repeat(128); // 2 bytes each
        place(k, 1, bytes("ok"), 600);
        assertThat(await(store().fetch(k, 0, 0))).hasSize(1);
        await(store().delete(k));
    }

    private static byte[] claim(String s) {
        return bytes(s);
    }

    @Test
    void appendTakesOnlyMidsLargerThanEveryEarlierOne() throws Exception {
        String k = key("append");
        assertThat(await(store().append(k, 100, claim("c1"), bytes("m100"), 600)))
                .isEqualTo(new AppendResult(true, 100));
        assertThat(await(store().append(k, 200, claim("c2"), bytes("m200"), 600)))
                .isEqualTo(new AppendResult(true, 200));
        // A writer with a stale view proposes an older or equal mid: refused, told the head.
        assertThat(await(store().append(k, 150, claim("c3"), bytes("stale"), 600)))
                .isEqualTo(new AppendResult(false, 200));
        assertThat(await(store().append(k, 200, claim("c4"), bytes("same mid"), 600)))
                .isEqualTo(new AppendResult(false, 200));
        assertThat(await(store().append(k, 201, claim("c5"), bytes("m201"), 600)))
                .isEqualTo(new AppendResult(true, 201));
        assertThat(await(store().fetch(k, 0, 0)))
                .containsExactly(
                        new StoredMessage(100, bytes("m100")),
                        new StoredMessage(200, bytes("m200")),
                        new StoredMessage(201, bytes("m201")));
    }

    @Test
    void retryingAnAppendWithItsClaimIsIdempotent() throws Exception {
        String k = key("append-retry");
        long mid = (1L << 62) + 1;
        assertThat(await(store().append(k, mid, claim("push-1"), bytes("once"), 600)).appended())
                .isTrue();
        // The answer was lost; the caller retries the same append (maybe on another node).
        assertThat(await(store().append(k, mid, claim("push-1"), bytes("once"), 600)))
                .isEqualTo(new AppendResult(true, mid));
        // Even after a later append moved the head on, the retry recognises its own message.
        await(store().append(k, mid + 5, claim("push-2"), bytes("later"), 600));
        assertThat(await(store().append(k, mid, claim("push-1"), bytes("once"), 600)))
                .isEqualTo(new AppendResult(true, mid + 5));
        assertThat(mids(await(store().fetch(k, 0, 0)))).containsExactly(mid, mid + 5);
        assertThat(heldRows(k)).isEqualTo(2);
    }

    /** An append that looks its claim up first (a web node's fallback, an idempotent push). */
    private static AppendEntry finding(
            String key, long mid, String claim, String payload, long expire, long indexSeconds) {
        return new AppendEntry(key, mid, claim(claim), bytes(payload), expire, true, indexSeconds);
    }

    @Test
    void findingAClaimAnswersTheMidItTookAndStoresNothingAgain() throws Exception {
        String k = key("find");
        place(k, 100, bytes("first"), 600); // claim "place-100"
        assertThat(await(store().append(k, 200, claim("push-B"), bytes("second"), 600)).appended())
                .isTrue();
        // The fallback of the push stored at 100 (its comet appended, then failed to answer): found
        // in the key's message rows, though the head moved on.
        assertThat(await(store().append(finding(k, 300, "place-100", "first", 600, 0))))
                .isEqualTo(AppendResult.duplicateAt(100, 200));
        // The claim at the head.
        assertThat(await(store().append(finding(k, 500, "push-B", "second", 600, 0))))
                .isEqualTo(AppendResult.duplicateAt(200, 200));
        // Not found: takes a mid above the head (not the smaller one proposed), and says so.
        assertThat(await(store().append(finding(k, 50, "push-C", "third", 600, 0))))
                .isEqualTo(new AppendResult(true, 201, 201, false));
        assertThat(await(store().append(finding(k, 999, "push-C", "third", 600, 0))))
                .isEqualTo(AppendResult.duplicateAt(201, 201));
        assertThat(await(store().fetch(k, 0, 0)))
                .containsExactly(
                        new StoredMessage(100, bytes("first")),
                        new StoredMessage(200, bytes("second")),
                        new StoredMessage(201, bytes("third")));
        assertThat(heldRows(k)).isEqualTo(3);
    }

    @Test
    void aLateAppendWhoseClaimHoldsTheHeadElsewhereWritesNothing() throws Exception {
        // A comet appended nothing yet (its append still in flight) when the web node's fallback
        // looked the claim up and took mid 200 with it; then the comet's append (mid 150) lands.
        String k = key("fenced");
        place(k, 100, bytes("earlier push"), 600);
        assertThat(await(store().append(finding(k, 200, "shared", "m", 600, 0))))
                .isEqualTo(new AppendResult(true, 200));
        assertThat(await(store().append(k, 150, claim("shared"), bytes("m"), 600)))
                .isEqualTo(AppendResult.duplicateAt(200, 200));
        // The same in a batch, online-only included: refused entries whose claim holds the head.
        assertThat(await(store().appendMany(List.of(entry(k, 180, "shared", "m", 0)))))
                .containsExactly(AppendOutcome.of(AppendResult.duplicateAt(200, 200)));
        assertThat(mids(await(store().fetch(k, 0, 0)))).containsExactly(100L, 200L);
        assertThat(heldRows(k)).isEqualTo(2);
    }

    @Test
    void anIndexedClaimIsFoundAfterLaterPushesOnlineOnlyToo() throws Exception {
        String k = key("indexed");
        // An online-only push with an idempotency key: no message row, only the index.
        assertThat(await(store().append(finding(k, 100, "idem-1", "{}", 0, 60))))
                .isEqualTo(new AppendResult(true, 100));
        assertThat(await(store().append(finding(k, 150, "idem-2", "{\"n\":2}", 600, 60))))
                .isEqualTo(new AppendResult(true, 150));
        place(k, 200, bytes("plain"), 600);
        assertThat(await(store().append(finding(k, 300, "idem-1", "{}", 0, 60))))
                .isEqualTo(AppendResult.duplicateAt(100, 200));
        assertThat(await(store().append(finding(k, 300, "idem-2", "{\"n\":2}", 600, 60))))
                .isEqualTo(AppendResult.duplicateAt(150, 200));
        // Two retries of one push in one batch: the second finds the first.
        String b = key("indexed-batch");
        assertThat(
                        await(
                                store().appendMany(
                                                List.of(
                                                        finding(b, 10, "idem-3", "x", 600, 60),
                                                        finding(b, 10, "idem-3", "x", 600, 60)))))
                .containsExactly(
                        AppendOutcome.of(new AppendResult(true, 10)),
                        AppendOutcome.of(AppendResult.duplicateAt(10, 10)));
        assertThat(mids(await(store().fetch(k, 0, 0)))).containsExactly(150L, 200L);
        assertThat(mids(await(store().fetch(b, 0, 0)))).containsExactly(10L);
    }

    @Test
    void anIndexedClaimIsForgottenAfterItsWindow() throws Exception {
        String k = key("index-expiry");
        assertThat(await(store().append(finding(k, 100, "idem", "x", 600, 1))))
                .isEqualTo(new AppendResult(true, 100));
        place(k, 200, bytes("later"), 600); // the claim no longer holds the head
        assertThat(await(store().append(finding(k, 300, "idem", "x", 600, 1))))
                .isEqualTo(AppendResult.duplicateAt(100, 200));
        Thread.sleep(2_100);
        // Past its window the index is gone (no message scan for an indexed claim): a new push.
        assertThat(await(store().append(finding(k, 300, "idem", "x", 600, 1))))
                .isEqualTo(new AppendResult(true, 300));
        assertThat(mids(await(store().fetch(k, 0, 0)))).containsExactly(100L, 200L, 300L);
    }

    @Test
    void anIndexLongerThanTheRetentionIsCutToItAndANegativeOneRefused() throws Exception {
        String k = key("index-long");
        assertThat(await(store().append(finding(k, 1, "c", "x", 60, RETENTION + 1))))
                .isEqualTo(new AppendResult(true, 1));
        assertThat(await(store().append(finding(k, 5, "c", "x", 60, RETENTION + 1))))
                .isEqualTo(AppendResult.duplicateAt(1, 1));
        assertInvalid(
                store().append(finding(k, 9, "d", "x", 60, -1)),
                "index_seconds must not be negative");
    }

    @Test
    void appendWithoutExpiryTakesTheMidAndStoresNothing() throws Exception {
        String k = key("append-online");
        assertThat(await(store().append(k, 10, claim("online"), bytes("live only"), 0)))
                .isEqualTo(new AppendResult(true, 10));
        assertThat(await(store().fetch(k, 0, 0))).isEmpty();
        assertThat(await(store().append(k, 9, claim("late"), bytes("x"), 600)))
                .isEqualTo(new AppendResult(false, 10));
    }

    @Test
    void midsKeepGrowingAfterADelete() throws Exception {
        String k = key("append-delete");
        await(store().append(k, 500, claim("a"), bytes("before"), 600));
        await(store().delete(k));
        assertThat(await(store().fetch(k, 0, 0))).isEmpty();
        assertThat(await(store().append(k, 400, claim("b"), bytes("older"), 600)))
                .isEqualTo(new AppendResult(false, 500));
        assertThat(await(store().append(k, 501, claim("c"), bytes("after"), 600)).appended())
                .isTrue();
    }

    @Test
    void concurrentAppendersNeverShareAMidAndEveryTakenMidIsStored() throws Exception {
        // Two writers that both believe they own the key, each proposing from its own view.
        String k = key("append-race");
        int perWriter = 40;
        List<CompletableFuture<List<Long>>> writers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int writer = w;
            writers.add(
                    CompletableFuture.supplyAsync(
                            () -> {
                                List<Long> taken = new ArrayList<>();
                                long next = 1;
                                try {
                                    for (int i = 0; i < perWriter; i++) {
                                        byte[] c = claim(writer + "-" + i);
                                        while (true) {
                                            AppendResult r =
                                                    await(
                                                            store().append(
                                                                            k,
                                                                            next,
                                                                            c,
                                                                            bytes(writer + "-" + i),
                                                                            600));
                                            if (r.appended()) {
                                                taken.add(next);
                                                next++;
                                                break;
                                            }
                                            next = r.head() + 1;
                                        }
                                    }
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                                return taken;
                            }));
        }
        List<Long> all = new ArrayList<>();
        for (CompletableFuture<List<Long>> w : writers) {
            List<Long> taken = w.get(120, TimeUnit.SECONDS);
            assertThat(taken).isSorted().doesNotHaveDuplicates();
            all.addAll(taken);
        }
        assertThat(all).hasSize(2 * perWriter).doesNotHaveDuplicates();
        assertThat(mids(await(store().fetch(k, 0, 0))))
                .containsExactlyElementsOf(
                        all.stream().sorted().toList().subList(2 * perWriter - CAP, 2 * perWriter));
    }

    /**
     * Issue 12: a per-key row count (reverted) once answered a fetch from 0 a trim's worth short of
     * the newest cap when a trim deleted rows while the fetch counted. Six writers race on one key
     * (every other one with two-entry AppendMany calls), the trimmer runs every {@link #TRIM_EVERY}
     * appends, and two readers fetch from 0 throughout. Once {@link #CAP} messages were
     * acknowledged before a fetch began, it must answer exactly the newest {@code CAP} at some
     * instant: {@code CAP} ascending mids that include every mid acknowledged before it began and
     * newer than its oldest.
     */
    @Test
    void racingAppendsTrimsAndFetchesAlwaysAnswerTheNewestCap() throws Exception {
        int writers = 6;
        int perWriter = 25;
        int rounds = 4;
        ExecutorService pool = Executors.newFixedThreadPool(writers + 2);
        try {
            for (int round = 0; round < rounds; round++) {
                String k = key("race-" + round);
                ConcurrentSkipListSet<Long> acked = new ConcurrentSkipListSet<>();
                AtomicBoolean writing = new AtomicBoolean(true);
                List<Future<?>> appenders = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    int writer = w;
                    // Odd rounds take time-like mids, as comets give them out (a row count may
                    // trust what it counted: none of it can have expired); even ones 1, 2, ...
                    long first =
                            round % 2 == 0
                                    ? 1
                                    : System.currentTimeMillis() * LowWaterMark.MIDS_PER_MILLI;
                    appenders.add(
                            pool.submit(
                                    () -> {
                                        write(k, writer, perWriter, writer % 2 == 1, first, acked);
                                        return null;
                                    }));
                }
                List<Future<List<String>>> readers = new ArrayList<>();
                for (int r = 0; r < 2; r++) {
                    readers.add(pool.submit(() -> readNewest(k, acked, writing)));
                }
                for (Future<?> a : appenders) {
                    a.get(60, TimeUnit.SECONDS);
                }
                writing.set(false);
                List<String> wrong = new ArrayList<>();
                for (Future<List<String>> r : readers) {
                    wrong.addAll(r.get(60, TimeUnit.SECONDS));
                }
                assertThat(wrong)
                        .as("round %d: fetches from 0 not the newest cap", round)
                        .isEmpty();
                assertThat(acked).hasSize(writers * perWriter);
                List<Long> newest =
                        new ArrayList<>(acked).subList(acked.size() - CAP, acked.size());
                assertThat(mids(await(store().fetch(k, 0, 0)))).containsExactlyElementsOf(newest);
                awaitTrims();
                assertThat(mids(await(store().fetch(k, 0, 0)))).containsExactlyElementsOf(newest);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * One racing writer of {@link #racingAppendsTrimsAndFetchesAlwaysAnswerTheNewestCap}: stores
     * {@code count} messages, proposing from the head it was last answered, and records each taken
     * mid once its append was answered.
     */
    private void write(
            String k,
            int writer,
            int count,
            boolean batched,
            long first,
            ConcurrentSkipListSet<Long> acked)
            throws Exception {
        long next = first;
        int stored = 0;
        int attempt = 0;
        while (stored < count) {
            int n = batched && count - stored >= 2 ? 2 : 1;
            List<AppendEntry> entries = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                // A claim per attempt: a refused entry's claim is never offered again.
                String c = writer + "-" + attempt++;
                entries.add(entry(k, next + i, c, c, 600));
            }
            List<AppendOutcome> outcomes =
                    n == 1
                            ? List.of(AppendOutcome.of(await(store().append(entries.get(0)))))
                            : await(store().appendMany(entries));
            long head = next;
            for (int i = 0; i < n; i++) {
                AppendResult r = outcomes.get(i).result();
                assertThat(r).as("writer %d, entry %d", writer, i).isNotNull();
                if (r.appended()) {
                    acked.add(entries.get(i).mid());
                    stored++;
                }
                head = Math.max(head, r.head());
            }
            next = head + 1;
        }
    }

    /** Fetches from 0 until the writers are done; answers what was wrong with each answer. */
    private List<String> readNewest(
            String k, ConcurrentSkipListSet<Long> acked, AtomicBoolean writing) throws Exception {
        List<String> wrong = new ArrayList<>();
        boolean last;
        do {
            // One more fetch once the writers are done: every reader checks a full key at least.
            last = !writing.get();
            List<Long> before = new ArrayList<>(acked);
            List<Long> got = mids(await(store().fetch(k, 0, 0)));
            if (before.size() < CAP) {
                continue;
            }
            List<Long> missing =
                    before.stream()
                            .filter(m -> !got.isEmpty() && m > got.get(0) && !got.contains(m))
                            .toList();
            boolean ascending = got.stream().sorted().distinct().toList().equals(got);
            if (got.size() != CAP || !ascending || !missing.isEmpty()) {
                wrong.add(
                        got.size()
                                + " mids "
                                + got
                                + (missing.isEmpty() ? "" : ", missing acknowledged " + missing)
                                + " ("
                                + before.size()
                                + " acknowledged before)");
            }
        } while (!last);
        return wrong;
    }

    private static AppendEntry entry(String key, long mid, String claim, String payload, long e) {
        return new AppendEntry(key, mid, claim(claim), bytes(payload), e);
    }

    private static AppendOutcome ok(boolean appended, long head) {
        return AppendOutcome.of(new AppendResult(appended, head));
    }

    @Test
    void appendManyAnswersEachEntryAsASingleAppendWould() throws Exception {
        String fresh = key("many-fresh");
        String behind = key("many-behind");
        String ahead = key("many-ahead");
        String online = key("many-online");
        await(store().append(behind, 100, claim("b0"), bytes("b100"), 600));
        await(store().append(ahead, 500, claim("a0"), bytes("a500"), 600));
        List<AppendEntry> entries =
                List.of(
                        entry(fresh, 10, "f1", "f10", 600),
                        entry(behind, 200, "b1", "b200", 600),
                        entry(ahead, 300, "a1", "stale", 600),
                        entry(online, 7, "o1", "live only", 0),
                        new AppendEntry(key("many-bad"), 1, new byte[0], bytes("x"), 60),
                        entry(ahead, 501, "a2", "a501", 600));
        List<AppendOutcome> got = await(store().appendMany(entries));
        assertThat(got).hasSize(6);
        assertThat(got.subList(0, 4))
                .containsExactly(ok(true, 10), ok(true, 200), ok(false, 500), ok(true, 7));
        assertThat(got.get(4).failure())
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("claim must be 1..32");
        // entries for the same key apply in order: 501 after the refused 300
        assertThat(got.get(5)).isEqualTo(ok(true, 501));
        assertThat(await(store().fetch(fresh, 0, 0)))
                .containsExactly(new StoredMessage(10, bytes("f10")));
        assertThat(mids(await(store().fetch(behind, 0, 0)))).containsExactly(100L, 200L);
        assertThat(mids(await(store().fetch(ahead, 0, 0)))).containsExactly(500L, 501L);
        assertThat(await(store().fetch(online, 0, 0))).isEmpty();
        assertThat(await(store().append(online, 7, claim("o2"), bytes("x"), 600)))
                .isEqualTo(new AppendResult(false, 7));

        // The answer was lost; the same batch again (same mids and claims) changes nothing.
        List<AppendOutcome> retried = await(store().appendMany(entries));
        assertThat(retried.get(0)).isEqualTo(ok(true, 10));
        assertThat(retried.get(1)).isEqualTo(ok(true, 200));
        assertThat(retried.get(2)).isEqualTo(ok(false, 501));
        assertThat(retried.get(3).appended()).isTrue();
        assertThat(retried.get(5)).isEqualTo(ok(true, 501));
        assertThat(heldRows(fresh)).isEqualTo(1);
        assertThat(heldRows(behind)).isEqualTo(2);
        assertThat(mids(await(store().fetch(ahead, 0, 0)))).containsExactly(500L, 501L);
    }

    @Test
    void appendManyAppliesEntriesOfOneKeyInListOrder() throws Exception {
        String k = key("many-same");
        List<AppendOutcome> got =
                await(
                        store().appendMany(
                                        List.of(
                                                entry(k, 5, "c1", "m5", 600),
                                                entry(k, 6, "c2", "m6", 600),
                                                entry(k, 6, "c3", "other m6", 600),
                                                entry(k, 4, "c4", "m4", 600),
                                                entry(k, 5, "c1", "m5", 600),
                                                entry(k, 9, "c5", "online", 0),
                                                entry(k, 10, "c6", "m10", 600))));
        assertThat(got)
                .containsExactly(
                        ok(true, 5),
                        ok(true, 6),
                        ok(false, 6),
                        ok(false, 6),
                        ok(true, 6), // c1's retry: its own earlier entry
                        ok(true, 9),
                        ok(true, 10));
        assertThat(await(store().fetch(k, 0, 0)))
                .containsExactly(
                        new StoredMessage(5, bytes("m5")),
                        new StoredMessage(6, bytes("m6")),
                        new StoredMessage(10, bytes("m10")));
    }

    @Test
    void appendManyOverManyKeysStoresEachOnce() throws Exception {
        List<AppendEntry> entries = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            entries.add(entry(key("many-" + i), 1000 + i, "c" + i, "m" + i, 600));
        }
        List<AppendOutcome> got = await(store().appendMany(entries));
        for (int i = 0; i < 300; i++) {
            assertThat(got.get(i)).as("entry " + i).isEqualTo(ok(true, 1000 + i));
        }
        for (int i = 0; i < 300; i += 37) {
            assertThat(await(store().fetch(key("many-" + i), 0, 0)))
                    .containsExactly(new StoredMessage(1000 + i, bytes("m" + i)));
        }
    }

    @Test
    void appendManyOfAWrongSizeIsRefusedWhole() {
        assertInvalid(store().appendMany(List.of()), "entries must not be empty");
        List<AppendEntry> tooMany = new ArrayList<>();
        for (String k : nKeys(1001)) {
            tooMany.add(entry(k, 1, "c", "x", 60));
        }
        assertInvalid(store().appendMany(tooMany), "1001 entries, at most 1000 allowed");
    }

    @Test
    void concurrentBatchesOverSharedKeysNeverShareAMid() throws Exception {
        // Two writers, each sending batches that touch the same three keys from stale views.
        List<String> keys = List.of(key("mrace-a"), key("mrace-b"), key("mrace-c"));
        int batches = 15;
        List<CompletableFuture<List<List<Long>>>> writers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int writer = w;
            writers.add(
                    CompletableFuture.supplyAsync(
                            () -> {
                                List<List<Long>> taken = new ArrayList<>();
                                long[] next = new long[keys.size()];
                                for (int k = 0; k < keys.size(); k++) {
                                    taken.add(new ArrayList<>());
                                    next[k] = 1;
                                }
                                try {
                                    for (int b = 0; b < batches; b++) {
                                        boolean[] done = new boolean[keys.size()];
                                        int left = keys.size();
                                        while (left > 0) {
                                            List<Integer> idx = new ArrayList<>();
                                            List<AppendEntry> es = new ArrayList<>();
                                            for (int k = 0; k < keys.size(); k++) {
                                                if (!done[k]) {
                                                    idx.add(k);
                                                    es.add(
                                                            entry(
                                                                    keys.get(k),
                                                                    next[k],
                                                                    writer + "-" + b + "-" + k,
                                                                    "w" + writer,
                                                                    600));
                                                }
                                            }
                                            List<AppendOutcome> got = await(store().appendMany(es));
                                            for (int i = 0; i < idx.size(); i++) {
                                                int k = idx.get(i);
                                                AppendResult r = got.get(i).result();
                                                if (r.appended()) {
                                                    taken.get(k).add(next[k]);
                                                    next[k]++;
                                                    done[k] = true;
                                                    left--;
                                                } else {
                                                    next[k] = r.head() + 1;
                                                }
                                            }
                                        }
                                    }
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                                return taken;
                            }));
        }
        List<List<Long>> a = writers.get(0).get(120, TimeUnit.SECONDS);
        List<List<Long>> b = writers.get(1).get(120, TimeUnit.SECONDS);
        for (int k = 0; k < keys.size(); k++) {
            assertThat(a.get(k)).isSorted().doesNotHaveDuplicates().hasSize(batches);
            assertThat(b.get(k)).isSorted().doesNotHaveDuplicates().hasSize(batches);
            List<Long> all = new ArrayList<>(a.get(k));
            all.addAll(b.get(k));
            assertThat(all).doesNotHaveDuplicates();
            assertThat(mids(await(store().fetch(keys.get(k), 0, 0))))
                    .containsExactlyElementsOf(
                            all.stream().sorted().toList().subList(2 * batches - CAP, 2 * batches));
        }
    }

    // The low-water mark (docs/STORE.md): time-like mids, as comets give out.

    /** A mid of {@code secondsAgo} before now (mids are 100 ns units since the epoch). */
    private static long midAgo(long secondsAgo) {
        return (System.currentTimeMillis() - secondsAgo * 1000) * LowWaterMark.MIDS_PER_MILLI;
    }

    private long[] placeRecent(String k, int n, long expireSeconds) throws Exception {
        long[] mids = new long[n];
        long base = midAgo(1);
        for (int i = 0; i < n; i++) {
            mids[i] = base + i;
            place(k, mids[i], bytes("{\"n\":" + i + "}"), expireSeconds);
        }
        return mids;
    }

    private FetchPage withFloor(String k, long after) throws Exception {
        FetchPage page = await(store().fetch(k, after, 0, true));
        assertThat(page.floor()).as("floor answered when asked").isNotEqualTo(LowWaterMark.NONE);
        return page;
    }

    @Test
    void aResumeInsideTheWindowIsComplete() throws Exception {
        String k = key("complete");
        long[] mids = placeRecent(k, 10, 600);
        FetchPage page = withFloor(k, mids[4]);
        assertThat(mids(page.messages())).hasSize(5).first().isEqualTo(mids[5]);
        assertThat(page.completeAfter(mids[4])).isTrue();
        // Caught up (at the head), or ahead of it: nothing can be missing.
        assertThat(withFloor(k, mids[9]).completeAfter(mids[9])).isTrue();
        // From the start (mid 0, 1970): messages pushed long before may have expired unseen, so
        // the conservative answer (a client with no history starts from a time id instead).
        assertThat(withFloor(k, 0).completeAfter(0)).isFalse();
        // Not asked: no floor, the plain fetch.
        assertThat(await(store().fetch(k, mids[4], 0, false)).floor()).isEqualTo(LowWaterMark.NONE);
    }

    @Test
    void aKeyNeverPushedIsCompleteForARecentSinceAndTruncatedBeyondTheRetention() throws Exception {
        String k = key("never");
        assertThat(withFloor(k, midAgo(60)).completeAfter(midAgo(60))).isTrue();
        long old = midAgo(RETENTION + 60);
        assertThat(withFloor(k, old).completeAfter(old)).isFalse();
    }

    @Test
    void aSinceBelowWhatTheCapTrimmedIsTruncated() throws Exception {
        String k = key("trimmed");
        int total = CAP + 2 * TRIM_EVERY + 1;
        long[] mids = placeRecent(k, total, 600);
        awaitTrims();
        long oldestKept = mids[total - CAP];
        // The first message is gone (trimmed, or outside the cap window): truncated.
        FetchPage fromStart = withFloor(k, mids[0]);
        assertThat(mids(fromStart.messages())).first().isEqualTo(oldestKept);
        assertThat(fromStart.completeAfter(mids[0])).isFalse();
        assertThat(withFloor(k, 0).completeAfter(0)).isFalse();
        // Right below the oldest kept one: nothing between is missing.
        assertThat(withFloor(k, mids[total - CAP - 1]).completeAfter(mids[total - CAP - 1]))
                .isTrue();
        assertThat(withFloor(k, oldestKept).completeAfter(oldestKept)).isTrue();
    }

    @Test
    void aSinceBelowADeletedMessageIsTruncatedAndNewMessagesAfterItAreComplete() throws Exception {
        String k = key("deleted");
        long[] mids = placeRecent(k, 5, 600);
        await(store().delete(k));
        assertThat(withFloor(k, mids[1]).completeAfter(mids[1])).isFalse();
        assertThat(withFloor(k, mids[4]).completeAfter(mids[4])).isTrue();
        // An online-only push after the delete removes nothing stored.
        assertThat(await(store().append(k, mids[4] + 5, bytes("online"), bytes("{}"), 0)))
                .isEqualTo(new AppendResult(true, mids[4] + 5));
        assertThat(withFloor(k, mids[4]).completeAfter(mids[4])).isTrue();
        long next = mids[4] + 10;
        place(k, next, bytes("{\"after\":1}"), 600);
        FetchPage page = withFloor(k, mids[4]);
        assertThat(mids(page.messages())).containsExactly(next);
        assertThat(page.completeAfter(mids[4])).isTrue();
        assertThat(withFloor(k, mids[3]).completeAfter(mids[3])).isFalse();
    }

    @Test
    void aSinceOlderThanTheShortestExpiryIsTruncated() throws Exception {
        String k = key("expired");
        long since = midAgo(1);
        place(k, since, bytes("{\"seen\":1}"), 600);
        place(k, since + 1, bytes("{\"short\":1}"), 1);
        place(k, since + 2, bytes("{\"long\":1}"), 600);
        Thread.sleep(1_600);
        FetchPage page = withFloor(k, since);
        assertThat(mids(page.messages())).containsExactly(since + 2);
        assertThat(page.completeAfter(since)).isFalse();
        // The head is past it all: a client at the head misses nothing.
        assertThat(withFloor(k, since + 2).completeAfter(since + 2)).isTrue();

        // A key whose shortest expiry is 60 s: a since 30 s old is complete, 90 s old is not
        // (a message pushed right after it may have expired), whatever is still stored.
        String m = key("expiry-window");
        long thirtyAgo = midAgo(30);
        long ninetyAgo = midAgo(90);
        place(m, ninetyAgo, bytes("{\"old\":1}"), 600);
        place(m, thirtyAgo, bytes("{\"mid\":1}"), 60);
        place(m, midAgo(1), bytes("{\"new\":1}"), 600);
        assertThat(withFloor(m, thirtyAgo).completeAfter(thirtyAgo)).isTrue();
        assertThat(withFloor(m, ninetyAgo).completeAfter(ninetyAgo)).isFalse();
    }

    @Test
    void everyInvalidArgumentIsRefusedWithItsReason() {
        String k = key("invalid");
        byte[] c = claim("c");
        assertInvalid(store().append("", 1, c, bytes("x"), 60), "key must not be empty");
        assertInvalid(store().append(null, 1, c, bytes("x"), 60), "key must not be empty");
        assertInvalid(store().append("é".repeat(129), 1, c, bytes("x"), 60), "key is 258 bytes");
        assertInvalid(store().append(k, 1, c, new byte[1025], 60), "payload is 1025 bytes");
        assertInvalid(store().append(k, 1, c, bytes("x"), -1), "expire must not be negative");
        assertInvalid(store().append(k, 1, c, bytes("x"), RETENTION + 1), "the store's retention");
        assertInvalid(store().append(k, 0, c, bytes("x"), 60), "mid must be positive");
        assertInvalid(store().append(k, -5, c, bytes("x"), 60), "mid must be positive");
        assertInvalid(store().fetch(k, 0, -1), "limit must not be negative");
        assertInvalid(store().fetch("", 0, 0), "key must not be empty");
        assertInvalid(store().last(""), "key must not be empty");
        assertInvalid(store().delete(""), "key must not be empty");
        assertInvalid(store().append(k, 1, new byte[0], bytes("x"), 60), "claim must be 1..32");
        assertInvalid(store().append(k, 1, new byte[33], bytes("x"), 60), "claim must be 1..32");
    }

    private List<String> nKeys(int n) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            keys.add(key("n" + i));
        }
        return keys;
    }

    private static void assertInvalid(CompletableFuture<?> f, String reason) {
        assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining(reason);
    }
}
