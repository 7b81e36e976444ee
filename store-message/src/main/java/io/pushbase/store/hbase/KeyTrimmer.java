package io.pushbase.store.hbase;

import static io.pushbase.schema.hbase.MessageTableLayout.COLUMN_FLOOR;
import static io.pushbase.schema.hbase.MessageTableLayout.COLUMN_KEY;
import static io.pushbase.schema.hbase.MessageTableLayout.FAMILY;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import io.pushbase.cluster.logging.MessageLogContext;
import io.pushbase.schema.hbase.RowKeys;
import io.pushbase.store.LogSpace;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.Delete;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.client.Scan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each key's stored messages within the per-key cap: deletes the rows older than the newest
 * {@code cap} of a key, off the save path.
 *
 * <p>A trim costs a scan, so it is not run per save: this node counts saves per key and trims a key
 * after {@code every} saves to it. The counts live in a bounded LRU map; a key evicted with
 * uncounted saves is trimmed on eviction, so no key escapes. Hence, per message node, a key holds
 * at most {@code cap + every - 1} rows (plus what concurrent saves add during a trim). At most
 * {@code maxInFlight} trims run at once; a save that would start one beyond that keeps its count,
 * and the next save of the key tries again.
 *
 * <p>Before deleting, a trim raises the key's stored floor (the low-water mark, {@link Floors}) to
 * the largest mid it deletes, so a fetch that misses the rows answers "truncated".
 *
 * <p>Thread-safe. Trims run as async HBase calls (no thread of its own). Failures are logged and
 * counted ({@code store.trim.failures}); the key is trimmed again later.
 */
public final class KeyTrimmer {
    private static final Logger LOG = LoggerFactory.getLogger(KeyTrimmer.class);

    /** Rows beyond the cap deleted by one scan; a bigger backlog takes several rounds. */
    private static final int BATCH = 1_000;

    private final Supplier<? extends AsyncTable<?>> table;
    private final RowKeys rowKeys;
    private final int cap;
    private final int every;
    private final Semaphore inFlight;
    private final int maxInFlight;
    private final Map<String, Integer> counts;
    private final Counter runs;
    private final Counter rowsDeleted;
    private final Counter deferred;
    private final Counter failures;
    private final LogSpace space;

    public KeyTrimmer(
            Supplier<? extends AsyncTable<?>> table,
            RowKeys rowKeys,
            int cap,
            int every,
            int maxInFlight,
            int maxTrackedKeys,
            MetricRegistry metrics) {
        this(table, rowKeys, cap, every, maxInFlight, maxTrackedKeys, metrics, LogSpace.KEYS);
    }

    /**
     * (Pushbase) A trimmer of the logs of {@code space} (room logs: {@link LogSpace#ROOMS}), with
     * counts of its own; its counters are the key trimmer's ({@code store.trim.*}).
     */
    public KeyTrimmer(
            Supplier<? extends AsyncTable<?>> table,
            RowKeys rowKeys,
            int cap,
            int every,
            int maxInFlight,
            int maxTrackedKeys,
            MetricRegistry metrics,
            LogSpace space) {
        this.space = space;
        this.table = table;
        this.rowKeys = rowKeys;
        this.cap = cap;
        this.every = every;
        this.maxInFlight = maxInFlight;
        this.inFlight = new Semaphore(maxInFlight);
        this.counts =
                new LinkedHashMap<>(1024, 0.75f, true) {
                    private static final long serialVersionUID = 1L;

                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
                        if (size() <= maxTrackedKeys) {
                            return false;
                        }
                        // Never forget a key with uncounted saves: trim it now instead.
                        if (!tryTrim(eldest.getKey())) {
                            deferred.inc();
                        }
                        return true;
                    }
                };
        this.runs = metrics.counter("store.trim.runs");
        this.rowsDeleted = metrics.counter("store.trim.rows");
        this.deferred = metrics.counter("store.trim.deferred");
        this.failures = metrics.counter("store.trim.failures");
    }

    /** Counts one durable save of {@code key}; starts a trim when the key is due. */
    public void saved(String key) {
        boolean due;
        synchronized (counts) {
            int n = counts.merge(key, 1, Integer::sum);
            due = n >= every;
        }
        if (due) {
            if (tryTrim(key)) {
                synchronized (counts) {
                    counts.remove(key);
                }
            } else {
                deferred.inc();
            }
        }
    }

    /** Trims currently running. */
    public int running() {
        return maxInFlight - inFlight.availablePermits();
    }

    private boolean tryTrim(String key) {
        if (!inFlight.tryAcquire()) {
            return false;
        }
        trim(key)
                .whenComplete(
                        (n, err) -> {
                            inFlight.release();
                            if (err != null) {
                                failures.inc();
                                try (MessageLogContext ignored = MessageLogContext.of(key)) {
                                    LOG.warn(
                                            "Trimming key '{}' failed; will retry later", key, err);
                                }
                            }
                        });
        return true;
    }

    /**
     * Deletes the rows of {@code key} beyond its newest {@code cap}; completes with how many rows
     * were deleted. Public so operators' tools and tests can force a trim.
     */
    public CompletableFuture<Integer> trim(String key) {
        // The log's name as its rows hold it (a room's is not its UTF-8: docs/STORE.md).
        byte[] keyBytes =
                space == LogSpace.KEYS
                        ? key.getBytes(StandardCharsets.UTF_8)
                        : RowKeys.roomLog(key);
        byte[] prefix = rowKeys.prefixOf(keyBytes);
        byte[] headRow = RowKeys.row(prefix, 0);
        runs.inc();
        // The scan stops at the key's floor. Every row at or below it was removed by an earlier
        // trim or delete, and HBase keeps their delete markers (and the rows they mask) until a
        // major compaction, days later by default. A newest-first scan that is not bounded below
        // walks all of them, one backward seek per row, after the live rows it wanted: its cost
        // grew with the key's whole history (35 % of the local HBase's CPU four minutes into a
        // run of pushes; docs/BENCHMARKS.md). One small read of the floor cell bounds it.
        return table.get()
                .get(new Get(headRow).addColumn(FAMILY, COLUMN_FLOOR))
                .thenCompose(row -> trimAbove(key, keyBytes, prefix, Floors.storedFloor(row)));
    }

    private CompletableFuture<Integer> trimAbove(
            String key, byte[] keyBytes, byte[] prefix, long floor) {
        Scan scan =
                HBaseMessageStore.newestFirst(prefix, floor, keyBytes)
                        .addColumn(FAMILY, COLUMN_KEY)
                        .setLimit(cap + BATCH)
                        .setCaching(Math.min(cap + BATCH, 1_000));
        return table.get()
                .scanAll(scan)
                .thenCompose(
                        rows -> {
                            if (rows.size() <= cap) {
                                return CompletableFuture.completedFuture(0);
                            }
                            List<Delete> deletes = new ArrayList<>(rows.size() - cap);
                            for (Result r : rows.subList(cap, rows.size())) {
                                deletes.add(new Delete(r.getRow()));
                            }
                            boolean more = rows.size() == cap + BATCH;
                            // The low-water mark first: a reader that misses these rows must see
                            // that they may be gone (newest first: the largest trimmed is at cap).
                            long raised = RowKeys.mid(rows.get(cap).getRow());
                            return Floors.raise(table.get(), RowKeys.row(prefix, 0), raised)
                                    .thenCompose(v -> table.get().deleteAll(deletes))
                                    .thenCompose(
                                            done -> {
                                                rowsDeleted.inc(deletes.size());
                                                return more
                                                        ? trimAbove(key, keyBytes, prefix, floor)
                                                                .thenApply(n -> n + deletes.size())
                                                        : CompletableFuture.completedFuture(
                                                                deletes.size());
                                            });
                        });
    }
}
