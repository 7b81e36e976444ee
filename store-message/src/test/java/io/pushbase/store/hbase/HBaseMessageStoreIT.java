package io.pushbase.store.hbase;

import static io.pushbase.schema.hbase.MessageTableLayout.COLUMN_HEAD;
import static io.pushbase.schema.hbase.MessageTableLayout.COLUMN_KEY;
import static io.pushbase.schema.hbase.MessageTableLayout.FAMILY;
import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.pushbase.schema.hbase.MessageTableLayout;
import io.pushbase.schema.hbase.RowKeys;
import io.pushbase.store.AppendEntry;
import io.pushbase.store.AppendResult;
import io.pushbase.store.LogSpace;
import io.pushbase.store.MessageStore;
import io.pushbase.store.MessageStoreContract;
import io.pushbase.store.StoredMessage;
import io.pushbase.store.memory.SameBucket;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.hadoop.hbase.CellUtil;
import org.apache.hadoop.hbase.client.AdvancedScanResultConsumer;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.client.Scan;
import org.apache.hadoop.hbase.util.Bytes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(MiniHBase.class)
class HBaseMessageStoreIT extends MessageStoreContract {
    private static final MessageTableLayout LAYOUT =
            new MessageTableLayout("pushbase", "message_it", (int) RETENTION);
    private static LogStoreFixture fixture;
    private static MiniHBase mini;
    private static HBaseClient client;
    private static MessageStore store;

    @BeforeAll
    static void connect(MiniHBase cluster) throws Exception {
        fixture = new LogStoreFixture(cluster, LAYOUT, LIMITS, TRIM_EVERY, LogSpace.KEYS);
        mini = cluster;
        client = fixture.client;
        store = fixture.store;
    }

    @AfterAll
    static void disconnect() throws Exception {
        fixture.stop();
    }

    /** A trimmer that trims only when a test calls {@link KeyTrimmer#trim}. */
    private static KeyTrimmer byHand(int cap, MetricRegistry metrics) {
        return new KeyTrimmer(
                client::table,
                RowKeys.standard(),
                cap,
                RETENTION,
                Integer.MAX_VALUE,
                1,
                10,
                metrics);
    }

    @Override
    protected MessageStore store() {
        return store;
    }

    @Override
    protected int heldRows(String key) throws Exception {
        return fixture.heldRows(key.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected void awaitTrims() throws Exception {
        fixture.awaitTrims();
    }

    @Override
    protected void flush() throws Exception {
        fixture.flush();
    }

    @Override
    protected List<String> twoKeysInOneBucket() {
        return SameBucket.keys(RowKeys.standard(), key("bucket"));
    }

    /** Every cell of key {@code k}'s head row (mid 0), as HBase holds it. */
    private Result headRow(String k) throws Exception {
        return client.table()
                .get(new Get(RowKeys.row(RowKeys.standard().prefix(k), 0)))
                .get(30, TimeUnit.SECONDS);
    }

    @Test
    void aClaimThatTookItsMidWithoutItsMessageGetsTheMessageWhenLookedUp() throws Exception {
        // A message node died between the head's compare-and-set and the message put: the head
        // carries the claim, no row exists. The fallback's lookup writes the message, once.
        String k = key("half-appended");
        byte[] prefix = RowKeys.standard().prefix(k);
        byte[] claim = bytes("half");
        client.table()
                .put(
                        new Put(RowKeys.row(prefix, 0))
                                .addColumn(
                                        FAMILY, COLUMN_HEAD, Bytes.add(Bytes.toBytes(100L), claim)))
                .get(30, TimeUnit.SECONDS);
        AppendEntry lookup = new AppendEntry(k, 500, claim, bytes("{\"h\":1}"), 600, true, 0);

        assertThat(store.append(lookup).get(30, TimeUnit.SECONDS))
                .isEqualTo(AppendResult.duplicateAt(100, 100));
        assertThat(store.append(lookup).get(30, TimeUnit.SECONDS))
                .isEqualTo(AppendResult.duplicateAt(100, 100));
        List<StoredMessage> stored = store.fetch(k, 0, 0).get(30, TimeUnit.SECONDS);
        assertThat(stored).extracting(StoredMessage::mid).containsExactly(100L);
        assertThat(new String(stored.get(0).payload(), StandardCharsets.UTF_8))
                .isEqualTo("{\"h\":1}");
        assertThat(heldRows(k)).isEqualTo(1);
    }

    @Test
    void aPlainAppendWritesTheHeadCellAndItsExpiryMarkOnlyOnTheHeadRow() throws Exception {
        // The head row carries no raw key (docs/STORE.md): every push rewrites the head, so each
        // cell on it is a memstore insert and WAL bytes per push.
        String k = key("head-cells");
        store.append(new AppendEntry(k, 7, bytes("c-7"), bytes("{}"), 600, false, 0))
                .get(30, TimeUnit.SECONDS);
        store.append(new AppendEntry(k, 8, bytes("c-8"), bytes("{}"), 600, false, 0))
                .get(30, TimeUnit.SECONDS);
        Result head = headRow(k);
        assertThat(head.rawCells())
                .extracting(c -> Bytes.toStringBinary(CellUtil.cloneQualifier(c)))
                .containsExactly("h", Bytes.toStringBinary(MessageTableLayout.expireMark(600)));
        assertThat(head.getValue(FAMILY, COLUMN_HEAD)).startsWith(Bytes.toBytes(8L));
        assertThat(head.getValue(FAMILY, COLUMN_KEY)).isNull();
    }

    @Test
    void theClaimIndexLivesInTheHeadRowAndTheFloorReadSkipsIt() throws Exception {
        String k = key("index-cells");
        for (int i = 0; i < 3; i++) {
            store.append(new AppendEntry(k, 10 + i, bytes("idem-" + i), bytes("{}"), 600, true, 60))
                    .get(30, TimeUnit.SECONDS);
        }
        Result head = headRow(k);
        assertThat(head.getValue(FAMILY, MessageTableLayout.claimIndex(bytes("idem-1"))))
                .startsWith(Bytes.toBytes(11L));
        assertThat(Floors.HeadRow.of(client.table().get(Floors.read(head.getRow())).get()).head())
                .isEqualTo(12);
        assertThat(client.table().get(Floors.read(head.getRow())).get().rawCells())
                .noneMatch(c -> CellUtil.cloneQualifier(c)[0] == 'i');
        // The floor read still sees the head (12: the mids here are not time-like, so the head
        // bounds it).
        assertThat(store.fetch(k, 11, 0, true).get(30, TimeUnit.SECONDS).floor()).isEqualTo(12);
    }

    @Test
    void keysWhoseHashesCollideNeverSeeEachOthersMessages() throws Exception {
        // Every key hashes to the same 8 bytes: only the raw key column tells them apart.
        RowKeys colliding = new RowKeys(k -> new byte[RowKeys.HASH_LENGTH]);
        MessageStore same =
                new HBaseMessageStore(
                        client::table,
                        LIMITS,
                        colliding,
                        new KeyTrimmer(
                                client::table,
                                colliding,
                                CAP,
                                RETENTION,
                                TRIM_EVERY,
                                4,
                                100,
                                new MetricRegistry()),
                        10_000);
        String a = key("collide-a");
        String b = key("collide-b");
        // The two keys share a head row too: their mids grow jointly (docs/MIDS.md).
        place(same, a, 10, bytes("a10"), 600);
        place(same, b, 20, bytes("b20"), 600);
        place(same, a, 30, bytes("a30"), 600);
        assertThat(await(same.fetch(a, 0, 0)))
                .containsExactly(
                        new StoredMessage(10, bytes("a10")), new StoredMessage(30, bytes("a30")));
        assertThat(await(same.fetch(b, 0, 0))).containsExactly(new StoredMessage(20, bytes("b20")));
        assertThat(await(same.last(a))).isEqualTo(30);
        assertThat(await(same.last(b))).isEqualTo(20);
        await(same.delete(a));
        assertThat(await(same.fetch(b, 0, 0))).hasSize(1);
        assertThat(await(same.fetch(a, 0, 0))).isEmpty();
    }

    @Test
    void aKeyWithMoreRowsThanTheForwardWindowStillAnswersTheNewestCap() throws Exception {
        // A trimmer that never trims: the key keeps every row, far beyond twice the cap.
        MessageStore untrimmed =
                new HBaseMessageStore(
                        client::table,
                        LIMITS,
                        RowKeys.standard(),
                        byHand(CAP, new MetricRegistry()),
                        10_000);
        String k = key("window");
        int total = 2 * CAP + 7;
        for (long mid = 1; mid <= total; mid++) {
            place(untrimmed, k, mid, bytes("m" + mid), 600);
        }
        assertThat(heldRows(k)).isEqualTo(total);
        List<Long> newest = new java.util.ArrayList<>();
        for (long mid = total - CAP + 1; mid <= total; mid++) {
            newest.add(mid);
        }
        assertThat(await(untrimmed.fetch(k, 0, 0)).stream().map(StoredMessage::mid).toList())
                .isEqualTo(newest);
        assertThat(await(untrimmed.fetch(k, 0, 3)).stream().map(StoredMessage::mid).toList())
                .isEqualTo(newest.subList(0, 3));
        // Few enough rows after `after` for the forward window: same answer semantics.
        assertThat(
                        await(untrimmed.fetch(k, total - 5, 0)).stream()
                                .map(StoredMessage::mid)
                                .toList())
                .containsExactly(
                        (long) total - 4,
                        (long) total - 3,
                        (long) total - 2,
                        (long) total - 1,
                        (long) total);
    }

    /**
     * The table, with each {@code get} of exactly {@code row} after the {@code skip}-th run after
     * {@code before} completes: the store's own calls, with an interleaving placed between them
     * (without blocking the HBase client's threads, which the callbacks run on).
     */
    @SuppressWarnings("unchecked")
    private static AsyncTable<AdvancedScanResultConsumer> afterReads(
            byte[] row, int skip, Supplier<CompletableFuture<?>> before) {
        AsyncTable<AdvancedScanResultConsumer> real = client.table();
        AtomicInteger reads = new AtomicInteger();
        return (AsyncTable<AdvancedScanResultConsumer>)
                Proxy.newProxyInstance(
                        AsyncTable.class.getClassLoader(),
                        new Class<?>[] {AsyncTable.class},
                        (proxy, method, args) -> {
                            boolean hooked =
                                    method.getName().equals("get")
                                            && args != null
                                            && args.length == 1
                                            && args[0] instanceof Get get
                                            && Arrays.equals(get.getRow(), row)
                                            && reads.incrementAndGet() == skip + 1;
                            if (hooked) {
                                return before.get()
                                        .thenCompose(
                                                done -> {
                                                    try {
                                                        return (CompletableFuture<?>)
                                                                method.invoke(real, args);
                                                    } catch (ReflectiveOperationException e) {
                                                        return CompletableFuture.failedFuture(e);
                                                    }
                                                });
                            }
                            try {
                                return method.invoke(real, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
    }

    @Test
    void aFullPageFetchWhoseFloorMovesUnderItFindsItsWindowAgainAndCountsIt() throws Exception {
        String k = key("moved");
        for (long mid = 1; mid <= 10; mid++) {
            place(store, k, mid, bytes("m" + mid), 600);
        }
        // A full page (3 of 10 rows) reads the key's head before its scans and again after them.
        // A delete between the two moves the floor above every row the first round scanned.
        MetricRegistry metrics = new MetricRegistry();
        AsyncTable<AdvancedScanResultConsumer> racing =
                afterReads(RowKeys.row(RowKeys.standard().prefix(k), 0), 1, () -> store.delete(k));
        MessageStore fetching =
                new HBaseMessageStore(
                        () -> racing,
                        LIMITS,
                        RowKeys.standard(),
                        byHand(CAP, new MetricRegistry()),
                        10_000,
                        LogSpace.KEYS,
                        metrics);

        // Found again: nothing is left above the new floor, and none of the deleted rows the
        // first round had scanned is answered.
        assertThat(await(fetching.fetch(k, 0, 3))).isEmpty();
        assertThat(metrics.counter("store.fetch.windowMoved").getCount()).isEqualTo(1);
        // Nothing moved this time: answered in one round.
        place(store, k, 11, bytes("m11"), 600);
        assertThat(await(fetching.fetch(k, 0, 3)).stream().map(StoredMessage::mid).toList())
                .containsExactly(11L);
        assertThat(metrics.counter("store.fetch.windowMoved").getCount()).isEqualTo(1);
    }

    @Test
    void aTrimReadsTheRowsStoredSinceTheLastOneNotTheCap() throws Exception {
        // A cap ten times the contract's, trimmed by hand after every batch, mids time-like as
        // comets give them out (so the recorded count is trusted: nothing can have expired).
        int cap = 200;
        int batch = 10;
        MetricRegistry metrics = new MetricRegistry();
        KeyTrimmer byHand = byHand(cap, metrics);
        MessageStore deep =
                new HBaseMessageStore(
                        client::table,
                        new io.pushbase.store.StoreLimits(1024, cap, RETENTION, 1000),
                        RowKeys.standard(),
                        byHand,
                        10_000);
        String k = key("count");
        long base =
                (System.currentTimeMillis() - 1_000)
                        * io.pushbase.store.LowWaterMark.MIDS_PER_MILLI;
        long next = base;
        for (int i = 0; i < cap; i++) {
            place(deep, k, next++, bytes("{}"), 600);
        }
        // The first trim counts the key in full: nothing to delete. What it counted settles once
        // the count is old enough for no put below it to be still in flight: the next trim after
        // that reads the key once more and records it settled.
        assertThat(await(byHand.trim(k))).isZero();
        assertThat(metrics.counter("store.trim.recounts").getCount()).isEqualTo(1);
        assertThat(metrics.counter("store.trim.scannedRows").getCount()).isEqualTo(cap);
        Thread.sleep(KeyRows.SETTLE_MILLIS + 100);
        assertThat(await(byHand.trim(k))).isZero();
        assertThat(metrics.counter("store.trim.scannedRows").getCount()).isEqualTo(2L * cap);

        for (int round = 1; round <= 5; round++) {
            for (int i = 0; i < batch; i++) {
                place(deep, k, next++, bytes("{}"), 600);
            }
            Thread.sleep(KeyRows.SETTLE_MILLIS + 100);
            long scannedBefore = metrics.counter("store.trim.scannedRows").getCount();
            assertThat(await(byHand.trim(k))).isEqualTo(batch);
            // The rows since the settled mark (two batches at most: the mark lags one count) and
            // the ones it deletes; never the cap.
            assertThat(metrics.counter("store.trim.scannedRows").getCount() - scannedBefore)
                    .isLessThanOrEqualTo(3L * batch);
            assertThat(metrics.counter("store.trim.recounts").getCount()).isEqualTo(1);
            assertThat(heldRows(k)).isEqualTo(cap);
            long oldestKept = next - cap;
            List<StoredMessage> all = await(deep.fetch(k, 0, 0));
            assertThat(all).hasSize(cap);
            assertThat(all.get(0).mid()).isEqualTo(oldestKept);
            // The floor is the largest trimmed mid: right below the oldest kept is complete.
            assertThat(await(deep.fetch(k, oldestKept - 1, 0, true)).completeAfter(oldestKept - 1))
                    .isTrue();
            assertThat(await(deep.fetch(k, oldestKept - 2, 0, true)).completeAfter(oldestKept - 2))
                    .isFalse();
        }

        // Rows beyond the cap not trimmed yet: the fetch's window uses the same count.
        for (int i = 0; i < 7; i++) {
            place(deep, k, next++, bytes("{}"), 600);
        }
        assertThat(heldRows(k)).isEqualTo(cap + 7);
        var firstFive = await(deep.fetch(k, 0, 5, true));
        assertThat(firstFive.messages())
                .extracting(StoredMessage::mid)
                .containsExactly(
                        next - cap, next - cap + 1, next - cap + 2, next - cap + 3, next - cap + 4);
        assertThat(firstFive.more()).isTrue();
        // The rows left out for the cap count as gone: the window floor is the newest of them.
        assertThat(firstFive.completeAfter(next - cap - 1)).isTrue();
        assertThat(firstFive.completeAfter(next - cap - 2)).isFalse();
        assertThat(await(deep.fetch(k, 0, 0)))
                .hasSize(cap)
                .first()
                .extracting(StoredMessage::mid)
                .isEqualTo(next - cap);

        // A delete moves the floor: the count no longer matches it, the next trim counts in full.
        await(deep.delete(k));
        place(deep, k, next++, bytes("{}"), 600);
        assertThat(await(byHand.trim(k))).isZero();
        assertThat(metrics.counter("store.trim.recounts").getCount()).isEqualTo(2);
        assertThat(await(deep.fetch(k, 0, 0)))
                .extracting(StoredMessage::mid)
                .containsExactly(next - 1);
    }

    @Test
    void aSettledCountOverMidsThatMayHaveExpiredIsNotTrustedOverTheCap() throws Exception {
        // Mids of 1970: every row could have expired by the expiry rule, so once the count has
        // settled rows, a trim that it puts over the cap counts in full rather than trust a count
        // that expired rows could have made too high; within the cap it is a good enough bound.
        MetricRegistry metrics = new MetricRegistry();
        KeyTrimmer byHand = byHand(CAP, metrics);
        MessageStore old =
                new HBaseMessageStore(client::table, LIMITS, RowKeys.standard(), byHand, 10_000);
        String k = key("old-mids");
        long mid = 1;
        // Round 1: a first count, in full. Round 2: nothing settled yet, so the walk from the
        // floor is exact, and settles. Round 3: settled rows of 1970 over the cap: in full.
        long[] recountsAfter = {1, 1, 2};
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < CAP; i++) {
                place(old, k, mid++, bytes("{}"), 600);
            }
            await(byHand.trim(k));
            assertThat(metrics.counter("store.trim.recounts").getCount())
                    .as("full counts after round %d", round + 1)
                    .isEqualTo(recountsAfter[round]);
            assertThat(heldRows(k)).isEqualTo(CAP);
            Thread.sleep(KeyRows.SETTLE_MILLIS + 100);
        }
        // Nothing settled since the last full count: exact again, one row over.
        place(old, k, mid++, bytes("{}"), 600);
        assertThat(await(byHand.trim(k))).isEqualTo(1);
        assertThat(metrics.counter("store.trim.recounts").getCount()).isEqualTo(2);
        // Settled rows of 1970 again, but the bound says the key is within its cap: no full count.
        Thread.sleep(KeyRows.SETTLE_MILLIS + 100);
        assertThat(await(byHand.trim(k))).isZero();
        assertThat(metrics.counter("store.trim.recounts").getCount()).isEqualTo(2);
        assertThat(await(old.fetch(k, 0, 0)))
                .hasSize(CAP)
                .first()
                .extracting(StoredMessage::mid)
                .isEqualTo(mid - CAP);
    }

    @Test
    void tableIsCreatedPreSplitWithTheLayoutsFamilyAndTtl() throws Exception {
        var admin = mini.util().getAdmin();
        var descriptor = admin.getDescriptor(LAYOUT.tableName());
        LAYOUT.verify(descriptor);
        assertThat(descriptor.getColumnFamily(FAMILY).getTimeToLive()).isEqualTo((int) RETENTION);
        assertThat(admin.getRegions(LAYOUT.tableName())).hasSize(RowKeys.BUCKETS);
    }

    @Test
    void aNodeRefusesATableWhoseTtlDiffersFromItsRetention() {
        MessageTableLayout other = new MessageTableLayout("pushbase", "message_it", 7200);
        HBaseClient mismatched = LogStoreFixture.newClient(mini, other);
        org.assertj.core.api.Assertions.assertThatThrownBy(mismatched::start)
                .hasMessageContaining("TTL is 3600 s, expected 7200 s");
    }

    @Test
    void expiredMessagesAreRemovedPhysicallyByCompaction() throws Exception {
        String k = key("physical");
        place(store, k, 1, bytes("gone soon"), 1);
        flush();
        Thread.sleep(1_500);
        mini.util().compact(LAYOUT.tableName(), true);
        byte[] prefix = RowKeys.standard().prefix(k);
        // The key's message rows (mid >= 1); its head row (mid 0) has no TTL and stays.
        Scan raw =
                new Scan()
                        .withStartRow(RowKeys.row(prefix, 1), true)
                        .withStopRow(RowKeys.row(prefix, Long.MAX_VALUE), true)
                        .setRaw(true);
        long deadline = System.currentTimeMillis() + 30_000;
        List<Result> left = client.table().scanAll(raw).get(30, TimeUnit.SECONDS);
        while (!left.isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
            left = client.table().scanAll(raw).get(30, TimeUnit.SECONDS);
        }
        assertThat(left).isEmpty();
    }
}
