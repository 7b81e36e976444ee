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
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.hbase.CellUtil;
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
                                        FAMILY, COLUMN_HEAD, Bytes.add(Bytes.toBytes(100L), claim))
                                .addColumn(FAMILY, COLUMN_KEY, bytes(k)))
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
    void theClaimIndexLivesInTheHeadRowAndTheFloorReadSkipsIt() throws Exception {
        String k = key("index-cells");
        for (int i = 0; i < 3; i++) {
            store.append(new AppendEntry(k, 10 + i, bytes("idem-" + i), bytes("{}"), 600, true, 60))
                    .get(30, TimeUnit.SECONDS);
        }
        Result head =
                client.table()
                        .get(new Get(RowKeys.row(RowKeys.standard().prefix(k), 0)))
                        .get(30, TimeUnit.SECONDS);
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
                        new KeyTrimmer(
                                client::table,
                                RowKeys.standard(),
                                CAP,
                                Integer.MAX_VALUE,
                                1,
                                10,
                                new MetricRegistry()),
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
