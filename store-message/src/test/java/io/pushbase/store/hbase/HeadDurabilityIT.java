package io.pushbase.store.hbase;

import static io.pushbase.schema.hbase.MessageTableLayout.COLUMN_HEAD;
import static io.pushbase.schema.hbase.MessageTableLayout.COLUMN_PAYLOAD;
import static io.pushbase.schema.hbase.MessageTableLayout.FAMILY;
import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.pushbase.schema.hbase.MessageTableLayout;
import io.pushbase.schema.hbase.RowKeys;
import io.pushbase.store.AppendEntry;
import io.pushbase.store.AppendResult;
import io.pushbase.store.LogSpace;
import io.pushbase.store.MessageStore;
import io.pushbase.store.StoreLimits;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.AsyncAdmin;
import org.apache.hadoop.hbase.client.AsyncConnection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.client.Durability;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.client.TableDescriptor;
import org.apache.hadoop.hbase.client.TableDescriptorBuilder;
import org.apache.hadoop.hbase.coprocessor.ObserverContext;
import org.apache.hadoop.hbase.coprocessor.RegionCoprocessor;
import org.apache.hadoop.hbase.coprocessor.RegionCoprocessorEnvironment;
import org.apache.hadoop.hbase.coprocessor.RegionObserver;
import org.apache.hadoop.hbase.wal.WALEdit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Which WAL durability each put of an append reaches the region server with (docs/MIDS.md,
 * "Durable"): on a table that keeps a key's rows in one region, a head put whose message put
 * follows is {@code ASYNC_WAL} and the message put after it {@code SYNC_WAL}; every other head put
 * is {@code SYNC_WAL}; on a table without the split restriction (a table of an earlier version,
 * left as it is) every put is {@code SYNC_WAL}, and a client allowed to create tables adds the
 * restriction. The puts are recorded by a region observer inside the mini cluster's region server,
 * so what is checked is what HBase was asked to do.
 */
@ExtendWith(MiniHBase.class)
class HeadDurabilityIT {
    private static final StoreLimits LIMITS = new StoreLimits(1024, 10, 3600, 100);

    /** Every put the region server applied on the observed tables, in order. */
    public static final class RecordingObserver implements RegionCoprocessor, RegionObserver {
        static final ConcurrentLinkedQueue<Recorded> PUTS = new ConcurrentLinkedQueue<>();

        @Override
        public Optional<RegionObserver> getRegionObserver() {
            return Optional.of(this);
        }

        @Override
        public void prePut(
                ObserverContext<RegionCoprocessorEnvironment> c,
                Put put,
                WALEdit edit,
                Durability durability) {
            PUTS.add(
                    new Recorded(
                            c.getEnvironment().getRegionInfo().getTable(),
                            put.getRow(),
                            put.has(FAMILY, COLUMN_HEAD),
                            put.has(FAMILY, COLUMN_PAYLOAD),
                            put.getDurability()));
        }
    }

    record Recorded(
            TableName table, byte[] row, boolean head, boolean message, Durability durability) {}

    private static MiniHBase mini;
    private static AsyncConnection admin;

    @BeforeAll
    static void connect(MiniHBase cluster) throws Exception {
        mini = cluster;
        admin = ConnectionFactory.createAsyncConnection(mini.clientConfiguration()).get();
    }

    @AfterAll
    static void disconnect() throws Exception {
        admin.close();
    }

    @Test
    void onATableKeepingKeyRowsTogetherAHeadRidesOnItsMessagesSync() throws Exception {
        MessageTableLayout layout = new MessageTableLayout("pushbase", "durability_it", 3600);
        HBaseClient client = LogStoreFixture.newClient(mini, layout);
        client.start();
        try {
            assertThat(client.keyRowsTogether()).isTrue();
            observe(layout.tableName());
            MessageStore store = store(client);
            String stored = "stored-" + System.nanoTime();
            String online = "online-" + System.nanoTime();
            appendMany(
                    store,
                    new AppendEntry(stored, 1000, claim(), payload(), 600),
                    new AppendEntry(online, 1000, claim(), payload(), 0));
            // The first append to a key creates its head (step 2); the second takes it (step 1).
            appendMany(
                    store,
                    new AppendEntry(stored, 2000, claim(), payload(), 600),
                    new AppendEntry(online, 2000, claim(), payload(), 0));

            List<Recorded> storedPuts = puts(layout.tableName(), stored);
            assertThat(heads(storedPuts)).hasSize(2).containsOnly(Durability.ASYNC_WAL);
            assertThat(messages(storedPuts)).hasSize(2).containsOnly(Durability.SYNC_WAL);
            // Each head is in the WAL before the message put whose sync covers it.
            assertThat(storedPuts.get(0).head()).isTrue();
            assertThat(storedPuts.get(storedPuts.size() - 1).message()).isTrue();

            List<Recorded> onlinePuts = puts(layout.tableName(), online);
            assertThat(heads(onlinePuts)).hasSize(2).containsOnly(Durability.SYNC_WAL);
            assertThat(messages(onlinePuts)).isEmpty();
        } finally {
            client.stop();
        }
    }

    @Test
    void aTableWithoutTheRestrictionSyncsEveryHeadUntilAClientThatMayCreateAddsIt()
            throws Exception {
        MessageTableLayout layout = new MessageTableLayout("pushbase", "durability_old_it", 3600);
        AsyncAdmin a = admin.getAdmin();
        TableDescriptor earlier =
                TableDescriptorBuilder.newBuilder(layout.descriptor())
                        .removeValue(MessageTableLayout.SPLIT_RESTRICTION_TYPE)
                        .removeValue(MessageTableLayout.SPLIT_RESTRICTION_PREFIX_LENGTH)
                        .setCoprocessor(RecordingObserver.class.getName())
                        .build();
        a.createTable(earlier, MessageTableLayout.splitKeys()).get(60, TimeUnit.SECONDS);

        HBaseClient leaves = newClient(layout, false);
        leaves.start();
        String key = "old-table-" + System.nanoTime();
        try {
            assertThat(leaves.keyRowsTogether()).isFalse();
            assertThat(
                            MessageTableLayout.keepsKeyRowsTogether(
                                    a.getDescriptor(layout.tableName()).get(30, TimeUnit.SECONDS)))
                    .isFalse();
            MessageStore store = store(leaves);
            appendMany(store, new AppendEntry(key, 1000, claim(), payload(), 600));
            appendMany(store, new AppendEntry(key, 2000, claim(), payload(), 600));
            List<Recorded> puts = puts(layout.tableName(), key);
            assertThat(heads(puts)).hasSize(2).containsOnly(Durability.SYNC_WAL);
            assertThat(messages(puts)).hasSize(2).containsOnly(Durability.SYNC_WAL);
        } finally {
            leaves.stop();
        }

        HBaseClient adds = newClient(layout, true);
        adds.start();
        try {
            assertThat(adds.keyRowsTogether()).isTrue();
            TableDescriptor now = a.getDescriptor(layout.tableName()).get(30, TimeUnit.SECONDS);
            assertThat(now.getValue(MessageTableLayout.SPLIT_RESTRICTION_TYPE))
                    .isEqualTo("KeyPrefix");
            assertThat(now.getValue(MessageTableLayout.SPLIT_RESTRICTION_PREFIX_LENGTH))
                    .isEqualTo(Integer.toString(RowKeys.PREFIX_LENGTH));
            MessageStore store = store(adds);
            AppendResult third =
                    appendMany(store, new AppendEntry(key, 3000, claim(), payload(), 600)).get(0);
            assertThat(third.appended()).isTrue();
            List<Recorded> puts = puts(layout.tableName(), key);
            assertThat(heads(puts))
                    .containsExactly(
                            Durability.SYNC_WAL, Durability.SYNC_WAL, Durability.ASYNC_WAL);
        } finally {
            adds.stop();
        }
    }

    private static HBaseClient newClient(MessageTableLayout layout, boolean createTable) {
        return new HBaseClient(
                mini.clientConfiguration(), layout, createTable, 60_000, 5_000, 2_000);
    }

    /** Adds the recording observer to {@code table} (HBase reopens its regions). */
    private static void observe(TableName table) throws Exception {
        AsyncAdmin a = admin.getAdmin();
        TableDescriptor d = a.getDescriptor(table).get(30, TimeUnit.SECONDS);
        a.modifyTable(
                        TableDescriptorBuilder.newBuilder(d)
                                .setCoprocessor(RecordingObserver.class.getName())
                                .build())
                .get(60, TimeUnit.SECONDS);
    }

    private static MessageStore store(HBaseClient client) {
        KeyTrimmer trimmer =
                new KeyTrimmer(
                        client::table,
                        RowKeys.standard(),
                        LIMITS.maxStoredPerKey(),
                        LIMITS.retentionSeconds(),
                        1000,
                        16,
                        10_000,
                        new MetricRegistry());
        return new HBaseMessageStore(
                client::table,
                LIMITS,
                RowKeys.standard(),
                trimmer,
                10_000,
                LogSpace.KEYS,
                client::keyRowsTogether);
    }

    private static List<AppendResult> appendMany(MessageStore store, AppendEntry... entries)
            throws Exception {
        List<AppendResult> results = new ArrayList<>();
        for (var outcome : store.appendMany(List.of(entries)).get(30, TimeUnit.SECONDS)) {
            assertThat(outcome.failure()).isNull();
            assertThat(outcome.result().appended()).isTrue();
            results.add(outcome.result());
        }
        return results;
    }

    /** The recorded puts of {@code key}'s rows in {@code table}, in the order HBase saw them. */
    private static List<Recorded> puts(TableName table, String key) {
        byte[] prefix = RowKeys.standard().prefix(key);
        List<Recorded> out = new ArrayList<>();
        for (Recorded r : RecordingObserver.PUTS) {
            if (r.table().equals(table) && startsWith(r.row(), prefix)) {
                out.add(r);
            }
        }
        return out;
    }

    private static List<Durability> heads(List<Recorded> puts) {
        return puts.stream().filter(Recorded::head).map(Recorded::durability).toList();
    }

    private static List<Durability> messages(List<Recorded> puts) {
        return puts.stream().filter(Recorded::message).map(Recorded::durability).toList();
    }

    private static boolean startsWith(byte[] row, byte[] prefix) {
        if (row.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (row[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] claim() {
        byte[] c = new byte[16];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(c);
        return c;
    }

    private static byte[] payload() {
        return "{\"x\":1}".getBytes(StandardCharsets.UTF_8);
    }
}
