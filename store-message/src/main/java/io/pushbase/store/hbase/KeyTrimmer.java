package io.pushbase.store.hbase;

import static io.pushbase.schema.hbase.MessageTableLayout.COLUMN_FLOOR;
import static io.pushbase.schema.hbase.MessageTableLayout.FAMILY;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import io.pushbase.cluster.logging.MessageLogContext;
import io.pushbase.schema.hbase.MessageTableLayout;
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
import org.apache.hadoop.hbase.client.CheckAndMutate;
import org.apache.hadoop.hbase.client.Delete;
import org.apache.hadoop.hbase.client.Durability;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.util.Bytes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each key's stored messages within the per-key cap: deletes the rows older than the newest
 * {@code cap} of a key, off the save path.
 *
 * <p>A trim costs a read and a scan, so it is not run per save: this node counts saves per key and
 * trims a key after {@code every} saves to it. The counts live in a bounded LRU map; a key evicted
 * with uncounted saves is trimmed on eviction, so no key escapes. Hence, per message node, a key
 * holds at most {@code cap + every - 1} rows (plus what concurrent saves add during a trim). At
 * most {@code maxInFlight} trims run at once; a save that would start one beyond that keeps its
 * count, and the next save of the key tries again.
 *
 * <p>What a trim reads does not grow with the cap ({@link KeyRows}): the key's row count recorded
 * on its head row by the previous trim, plus the rows stored since (a forward scan of the raw-key
 * column), then, when the key is over its cap, only the rows to delete, forward from the floor. A
 * key with no usable count (none yet, a delete, over the cap with rows that may have expired) is
 * counted in full once ({@code store.trim.recounts}).
 *
 * <p>Before deleting, a trim raises the key's stored floor (the low-water mark, {@link Floors}) to
 * the largest mid it deletes, so a fetch that misses the rows answers "truncated". The raise is one
 * compare-and-set against the floor the trim read (with the new count in the same put): a trim that
 * lost a race with another trim or a delete deletes nothing ({@code store.trim.raced}).
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
    private final Counter scanned;
    private final Counter recounts;
    private final Counter raced;
    private final Counter miscounts;
    private final KeyRows rows;
    private final LogSpace space;

    public KeyTrimmer(
            Supplier<? extends AsyncTable<?>> table,
            RowKeys rowKeys,
            int cap,
            long retentionSeconds,
            int every,
            int maxInFlight,
            int maxTrackedKeys,
            MetricRegistry metrics) {
        this(
                table,
                rowKeys,
                cap,
                retentionSeconds,
                every,
                maxInFlight,
                maxTrackedKeys,
                metrics,
                LogSpace.KEYS);
    }

    /**
     * (Pushbase) A trimmer of the logs of {@code space} (room logs: {@link LogSpace#ROOMS}), with
     * counts of its own; its counters are the key trimmer's ({@code store.trim.*}).
     */
    public KeyTrimmer(
            Supplier<? extends AsyncTable<?>> table,
            RowKeys rowKeys,
            int cap,
            long retentionSeconds,
            int every,
            int maxInFlight,
            int maxTrackedKeys,
            MetricRegistry metrics,
            LogSpace space) {
        this(
                table,
                rowKeys,
                cap,
                retentionSeconds,
                every,
                maxInFlight,
                maxTrackedKeys,
                metrics,
                space,
                KeyRows.SETTLE_MILLIS);
    }

    /**
     * A trimmer whose counts settle after {@code settleMillis} (docs/STORE.md "Per-key cap"): a
     * message node passes its store deadline, so every acknowledged message's row is counted.
     */
    public KeyTrimmer(
            Supplier<? extends AsyncTable<?>> table,
            RowKeys rowKeys,
            int cap,
            long retentionSeconds,
            int every,
            int maxInFlight,
            int maxTrackedKeys,
            MetricRegistry metrics,
            LogSpace space,
            long settleMillis) {
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
        this.scanned = metrics.counter("store.trim.scannedRows");
        this.recounts = metrics.counter("store.trim.recounts");
        this.raced = metrics.counter("store.trim.raced");
        this.miscounts = metrics.counter("store.trim.miscounts");
        this.rows = new KeyRows(table, retentionSeconds, settleMillis);
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
        // One read of the head row: the floor, the expiry marks and the key's row count. The count
        // bounds the trim's scans: rows stored since the last count, then only the rows to delete,
        // forward from the floor. (A newest-first scan of cap + 1,000 rows, as before, read the
        // whole cap per trim; unbounded below, it also walked every row earlier trims deleted,
        // whose delete markers HBase keeps until a major compaction: docs/BENCHMARKS.md.)
        return table.get()
                .get(Floors.read(headRow))
                .thenCompose(head -> trimWith(key, keyBytes, prefix, headRow, head));
    }

    private CompletableFuture<Integer> trimWith(
            String key, byte[] keyBytes, byte[] prefix, byte[] headRow, Result head) {
        byte[] floorCell = head.getValue(FAMILY, COLUMN_FLOOR);
        byte[] countColumn = MessageTableLayout.rowCount(keyBytes);
        return rows.count(prefix, keyBytes, head, System.currentTimeMillis(), cap, false)
                .thenCompose(
                        tally -> {
                            scanned.inc(tally.scanned());
                            if (tally.full()) {
                                recounts.inc();
                            }
                            long excess = tally.rows() - cap;
                            if (excess <= 0) {
                                if (tally.next().equals(tally.previous())) {
                                    return CompletableFuture.completedFuture(0);
                                }
                                // Record the count, so the next trim counts only what follows.
                                Put put =
                                        new Put(headRow)
                                                .addColumn(
                                                        FAMILY, countColumn, tally.next().encode());
                                return ifFloorIs(headRow, floorCell, put).thenApply(ok -> 0);
                            }
                            int take = (int) Math.min(excess, BATCH);
                            List<Delete> deletes = new ArrayList<>(take);
                            return rows.first(
                                            prefix,
                                            keyBytes,
                                            tally.floor(),
                                            take,
                                            mid ->
                                                    deletes.add(
                                                            new Delete(RowKeys.row(prefix, mid))))
                                    .thenCompose(
                                            found -> {
                                                scanned.inc(found);
                                                if (found < take) {
                                                    // Fewer rows than counted: forget the count
                                                    // (the next trim counts in full), delete none.
                                                    miscounts.inc();
                                                    return ifFloorIs(
                                                                    headRow,
                                                                    floorCell,
                                                                    new Put(headRow)
                                                                            .addColumn(
                                                                                    FAMILY,
                                                                                    countColumn,
                                                                                    new byte[0]))
                                                            .thenApply(ok -> 0);
                                                }
                                                return delete(
                                                        key,
                                                        headRow,
                                                        floorCell,
                                                        countColumn,
                                                        tally,
                                                        deletes,
                                                        excess > take);
                                            });
                        });
    }

    /**
     * Raises the floor to the largest of {@code deletes} with the count that follows, then deletes
     * them; trims again when more are due.
     */
    private CompletableFuture<Integer> delete(
            String key,
            byte[] headRow,
            byte[] floorCell,
            byte[] countColumn,
            KeyRows.Tally tally,
            List<Delete> deletes,
            boolean more) {
        // The low-water mark first: a reader that misses these rows must see that they may be
        // gone. The floor read with the count is the one compared: one read per trim, and a trim
        // that raced another trim or a delete (the floor moved) deletes nothing; the rows are
        // counted again by the next trim.
        long raised = RowKeys.mid(deletes.get(deletes.size() - 1).getRow());
        Put put =
                new Put(headRow)
                        .addColumn(FAMILY, COLUMN_FLOOR, Bytes.toBytes(raised))
                        .addColumn(
                                FAMILY,
                                countColumn,
                                tally.next().trimmed(raised, deletes.size()).encode());
        return ifFloorIs(headRow, floorCell, put)
                .thenCompose(
                        ok -> {
                            if (!ok) {
                                raced.inc();
                                return CompletableFuture.completedFuture(0);
                            }
                            return table.get()
                                    .deleteAll(deletes)
                                    .thenCompose(
                                            done -> {
                                                rowsDeleted.inc(deletes.size());
                                                return more
                                                        ? trim(key)
                                                                .thenApply(n -> n + deletes.size())
                                                        : CompletableFuture.completedFuture(
                                                                deletes.size());
                                            });
                        });
    }

    /** Applies {@code put} ({@code SYNC_WAL}) if the floor cell is still {@code floorCell}. */
    private CompletableFuture<Boolean> ifFloorIs(byte[] headRow, byte[] floorCell, Put put) {
        put.setDurability(Durability.SYNC_WAL);
        CheckAndMutate.Builder cam = CheckAndMutate.newBuilder(headRow);
        CheckAndMutate change =
                floorCell == null
                        ? cam.ifNotExists(FAMILY, COLUMN_FLOOR).build(put)
                        : cam.ifEquals(FAMILY, COLUMN_FLOOR, floorCell).build(put);
        return table.get().checkAndMutate(change).thenApply(r -> r.isSuccess());
    }
}
