package io.pushbase.store.hbase;

import static io.pushbase.schema.hbase.MessageTableLayout.COLUMN_KEY;
import static io.pushbase.schema.hbase.MessageTableLayout.FAMILY;
import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.pushbase.schema.hbase.MessageTableLayout;
import io.pushbase.schema.hbase.RowKeys;
import io.pushbase.store.LogSpace;
import io.pushbase.store.MessageStore;
import io.pushbase.store.StoreLimits;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.hbase.client.Scan;

/**
 * The store a message-store IT runs its contract on: an {@link HBaseClient} on the shared mini
 * cluster, over a table of its own ({@code layout}), a {@link KeyTrimmer} and an {@link
 * HBaseMessageStore} of one log space, and the hooks that look beneath them (rows held, trims
 * running, flush). {@code HBaseMessageStoreIT} and {@code HBaseRoomLogIT} share it.
 *
 * <p>Built and stopped by the test class's {@code @BeforeAll} / {@code @AfterAll}; the store is
 * thread-safe, the fixture's hooks may be called from any test thread. The fixture owns the client
 * (stopped by {@link #stop()}); the cluster belongs to the {@link MiniHBase} extension.
 */
final class LogStoreFixture {
    final MiniHBase mini;
    final MessageTableLayout layout;
    final HBaseClient client;
    final KeyTrimmer trimmer;
    final MessageStore store;
    private final StoreLimits limits;
    private final int trimEvery;

    LogStoreFixture(
            MiniHBase mini,
            MessageTableLayout layout,
            StoreLimits limits,
            int trimEvery,
            LogSpace space)
            throws Exception {
        this.mini = mini;
        this.layout = layout;
        this.limits = limits;
        this.trimEvery = trimEvery;
        this.client = newClient(mini, layout);
        client.start();
        this.trimmer = trimmer(RowKeys.standard(), space);
        this.store =
                new HBaseMessageStore(
                        client::table,
                        limits,
                        RowKeys.standard(),
                        trimmer,
                        10_000,
                        space,
                        new MetricRegistry());
    }

    static HBaseClient newClient(MiniHBase mini, MessageTableLayout layout) {
        return new HBaseClient(mini.clientConfiguration(), layout, true, 60_000, 5_000, 2_000);
    }

    /** A trimmer of this fixture's cap and trim interval over its table. */
    KeyTrimmer trimmer(RowKeys rowKeys, LogSpace space) {
        return new KeyTrimmer(
                client::table,
                rowKeys,
                limits.maxStoredPerKey(),
                limits.retentionSeconds(),
                trimEvery,
                16,
                10_000,
                new MetricRegistry(),
                space);
    }

    /** Rows really held for the log named by {@code nameBytes} (expired or over the cap too). */
    int heldRows(byte[] nameBytes) throws Exception {
        Scan scan =
                HBaseMessageStore.newestFirst(RowKeys.standard().prefixOf(nameBytes), 0, nameBytes)
                        .addColumn(FAMILY, COLUMN_KEY);
        return client.table().scanAll(scan).get(30, TimeUnit.SECONDS).size();
    }

    /** Waits (at most 30 s) until the fixture's trimmer runs no trim. */
    void awaitTrims() throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (trimmer.running() > 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertThat(trimmer.running()).isZero();
    }

    void flush() throws Exception {
        mini.util().flush(layout.tableName());
    }

    void stop() throws Exception {
        client.stop();
    }
}
