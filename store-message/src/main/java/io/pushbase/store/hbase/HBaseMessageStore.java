package io.pushbase.store.hbase;

import static io.pushbase.schema.hbase.MessageTableLayout.COLUMN_EXPIRE;
import static io.pushbase.schema.hbase.MessageTableLayout.COLUMN_KEY;
import static io.pushbase.schema.hbase.MessageTableLayout.COLUMN_PAYLOAD;
import static io.pushbase.schema.hbase.MessageTableLayout.FAMILY;

import io.pushbase.cluster.grpc.GrpcFutures;
import io.pushbase.schema.hbase.RowKeys;
import io.pushbase.store.AppendEntry;
import io.pushbase.store.AppendOutcome;
import io.pushbase.store.AppendResult;
import io.pushbase.store.FetchPage;
import io.pushbase.store.LogSpace;
import io.pushbase.store.LowWaterMark;
import io.pushbase.store.MessageStore;
import io.pushbase.store.StoreLimits;
import io.pushbase.store.StoreUnavailableException;
import io.pushbase.store.StoredMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.hadoop.hbase.Cell;
import org.apache.hadoop.hbase.CellUtil;
import org.apache.hadoop.hbase.CompareOperator;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.Delete;
import org.apache.hadoop.hbase.client.Durability;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.client.Scan;
import org.apache.hadoop.hbase.filter.SingleColumnValueFilter;
import org.apache.hadoop.hbase.util.Bytes;

/**
 * The durable {@link MessageStore}: one HBase row per message (layout in {@code
 * io.pushbase.schema.hbase}), written with {@link Durability#SYNC_WAL} and a cell TTL equal to the
 * message's expiry, so HBase hides an expired message at once and drops it physically at the next
 * compaction.
 *
 * <p>Every read filters on the raw key column, so two keys whose hashes collide never see each
 * other's messages. A fetch is one forward scan over a window of twice the cap (the {@link
 * KeyTrimmer} keeps keys near their cap, so this normally sees everything after {@code after});
 * only when the window fills does it take the newest cap with a bounded reversed scan.
 *
 * <p>Thread-safe and non-blocking: it borrows the {@link AsyncTable} of an HBaseClient} (which owns
 * the connection). Futures complete on HBase client threads; callers must not block in their
 * continuations. The table comes from a supplier (normally {@link HBaseClient#table()}) so the
 * store can be wired before the client starts. Every HBase failure, and any answer slower than
 * {@code deadlineMillis}, fails the future with {@link StoreUnavailableException}.
 */
public final class HBaseMessageStore implements MessageStore {
    private final Supplier<? extends AsyncTable<?>> table;
    private final StoreLimits limits;
    private final RowKeys rowKeys;
    private final Deadline deadline;
    private final HeadAppender appender;
    private final LogSpace space;

    /**
     * Keys whose expiry marks this node remembers writing (ExpiryMarks); forgetting costs a cell.
     */
    static final int EXPIRY_MARKED_KEYS = 100_000;

    /**
     * @param deadlineMillis upper bound on any one operation; set a little above the HBase client's
     *     operation timeout so the client's own timeout normally fires first
     */
    public HBaseMessageStore(
            Supplier<? extends AsyncTable<?>> table,
            StoreLimits limits,
            RowKeys rowKeys,
            KeyTrimmer trimmer,
            long deadlineMillis) {
        this(table, limits, rowKeys, trimmer, deadlineMillis, LogSpace.KEYS);
    }

    /**
     * (Pushbase) A store of the logs of {@code space} (docs/STORE.md "Room logs"): {@link
     * LogSpace#ROOMS} serves room logs over the same table, with a trimmer of its own (built with
     * the same space).
     */
    public HBaseMessageStore(
            Supplier<? extends AsyncTable<?>> table,
            StoreLimits limits,
            RowKeys rowKeys,
            KeyTrimmer trimmer,
            long deadlineMillis,
            LogSpace space) {
        this.space = space;
        this.table = table;
        this.limits = limits;
        this.rowKeys = rowKeys;
        this.deadline = new Deadline(deadlineMillis);
        this.appender =
                new HeadAppender(
                        table,
                        limits,
                        rowKeys,
                        trimmer,
                        deadline,
                        new ExpiryMarks(EXPIRY_MARKED_KEYS, limits.retentionSeconds()),
                        space);
    }

    @Override
    public CompletableFuture<AppendResult> append(AppendEntry entry) {
        return appender.appendMany(List.of(entry), "append")
                .thenCompose(
                        outcomes -> {
                            AppendOutcome o = outcomes.get(0);
                            return o.failure() == null
                                    ? CompletableFuture.completedFuture(o.result())
                                    : CompletableFuture.failedFuture(o.failure());
                        });
    }

    @Override
    public CompletableFuture<List<AppendOutcome>> appendMany(List<AppendEntry> entries) {
        return GrpcFutures.attempt(
                () -> {
                    limits.checkEntries(entries);
                    return appender.appendMany(entries, "appendMany");
                });
    }

    @Override
    public CompletableFuture<FetchPage> fetch(
            String key, long after, int limit, boolean withFloor) {
        return GrpcFutures.attempt(
                () -> {
                    byte[] keyBytes = space.check(limits, key);
                    int max = limits.checkFetchLimit(limit);
                    long from = Math.max(after, 0);
                    byte[] prefix = rowKeys.prefixOf(keyBytes);
                    if (from == Long.MAX_VALUE) {
                        return withFloor(key, prefix, List.of(), 0, withFloor);
                    }
                    int cap = limits.maxStoredPerKey();
                    // Forward scans are much cheaper than reversed ones in HBase, and the trimmer
                    // keeps a key near its cap: one forward pass over a window of 2 x cap rows
                    // normally sees every message after `from`, already ascending.
                    int window = 2 * cap;
                    Scan forward =
                            oldestFirst(prefix, from, keyBytes).setLimit(window).setCaching(window);
                    return bounded(table.get().scanAll(forward), "fetch", key)
                            .thenCompose(
                                    rows -> {
                                        if (rows.size() < window) {
                                            // all of them: the newest cap, then the first max
                                            int skip = Math.max(0, rows.size() - cap);
                                            // Rows left out for the cap count as gone.
                                            long omitted =
                                                    skip == 0
                                                            ? 0
                                                            : RowKeys.mid(
                                                                    rows.get(skip - 1).getRow());
                                            return withFloor(
                                                    key,
                                                    prefix,
                                                    messages(rows.subList(skip, rows.size()), max),
                                                    omitted,
                                                    withFloor);
                                        }
                                        // More than the window after `from`: exactly "the newest
                                        // cap messages with mid > from" from a bounded
                                        // newest-first scan.
                                        Scan newest =
                                                newestFirst(prefix, from, keyBytes)
                                                        .setLimit(cap)
                                                        .setCaching(cap);
                                        return bounded(table.get().scanAll(newest), "fetch", key)
                                                .thenCompose(
                                                        desc -> {
                                                            List<Result> asc =
                                                                    new ArrayList<>(desc);
                                                            java.util.Collections.reverse(asc);
                                                            // Everything below the oldest
                                                            // returned was left out.
                                                            long omitted =
                                                                    asc.isEmpty()
                                                                            ? 0
                                                                            : RowKeys.mid(
                                                                                            asc.get(
                                                                                                            0)
                                                                                                    .getRow())
                                                                                    - 1;
                                                            return withFloor(
                                                                    key,
                                                                    prefix,
                                                                    messages(asc, max),
                                                                    omitted,
                                                                    withFloor);
                                                        });
                                    });
                });
    }

    /**
     * The page, with the key's floor when asked: the head row is read after the messages, so a trim
     * or delete that removed rows the scan missed has raised the floor already.
     */
    private CompletableFuture<FetchPage> withFloor(
            String key, byte[] prefix, List<StoredMessage> page, long omitted, boolean withFloor) {
        if (!withFloor) {
            return CompletableFuture.completedFuture(new FetchPage(page, LowWaterMark.NONE));
        }
        return bounded(table.get().get(Floors.read(RowKeys.row(prefix, 0))), "fetch", key)
                .thenApply(
                        row -> {
                            Floors.HeadRow head = Floors.HeadRow.of(row);
                            return new FetchPage(
                                    page,
                                    LowWaterMark.floor(
                                            head.head(),
                                            head.floor(),
                                            omitted,
                                            head.minExpireSeconds(),
                                            limits.retentionSeconds(),
                                            System.currentTimeMillis()));
                        });
    }

    /** The first {@code max} of {@code ascending} rows as messages. */
    private static List<StoredMessage> messages(List<Result> ascending, int max) {
        int n = Math.min(max, ascending.size());
        List<StoredMessage> out = new ArrayList<>(n);
        for (Result r : ascending.subList(0, n)) {
            Cell payload = r.getColumnLatestCell(FAMILY, COLUMN_PAYLOAD);
            byte[] expire = r.getValue(FAMILY, COLUMN_EXPIRE);
            // HBase's TTL rule: a cell expires at its timestamp plus its TTL.
            long expiresAt =
                    expire == null || expire.length != Long.BYTES
                            ? 0
                            : payload.getTimestamp()
                                    + TimeUnit.SECONDS.toMillis(Bytes.toLong(expire));
            out.add(
                    new StoredMessage(
                            RowKeys.mid(r.getRow()), CellUtil.cloneValue(payload), expiresAt));
        }
        return out;
    }

    @Override
    public CompletableFuture<Long> last(String key) {
        return GrpcFutures.attempt(
                () -> {
                    byte[] keyBytes = space.check(limits, key);
                    Scan scan =
                            newestFirst(rowKeys.prefixOf(keyBytes), 0, keyBytes)
                                    .addColumn(FAMILY, COLUMN_KEY)
                                    .setLimit(1)
                                    .setCaching(1);
                    return bounded(table.get().scanAll(scan), "last", key)
                            .thenApply(
                                    rows ->
                                            rows.isEmpty()
                                                    ? 0L
                                                    : RowKeys.mid(rows.get(0).getRow()));
                });
    }

    @Override
    public CompletableFuture<Void> delete(String key) {
        return GrpcFutures.attempt(
                () -> {
                    byte[] keyBytes = space.check(limits, key);
                    byte[] prefix = rowKeys.prefixOf(keyBytes);
                    Scan scan = newestFirst(prefix, 0, keyBytes).addColumn(FAMILY, COLUMN_KEY);
                    return bounded(table.get().scanAll(scan), "delete", key)
                            .thenCompose(
                                    rows -> {
                                        if (rows.isEmpty()) {
                                            return CompletableFuture.completedFuture(null);
                                        }
                                        List<Delete> deletes = new ArrayList<>(rows.size());
                                        for (Result r : rows) {
                                            deletes.add(new Delete(r.getRow()));
                                        }
                                        // Newest first: every mid up to the first may be gone.
                                        // Raised before the rows go (docs/STORE.md).
                                        long floor = RowKeys.mid(rows.get(0).getRow());
                                        return bounded(
                                                        Floors.raise(
                                                                table.get(),
                                                                RowKeys.row(prefix, 0),
                                                                floor),
                                                        "delete",
                                                        key)
                                                .thenCompose(
                                                        v ->
                                                                bounded(
                                                                        table.get()
                                                                                .deleteAll(deletes),
                                                                        "delete",
                                                                        key));
                                    });
                });
    }

    /**
     * A reversed scan over the rows of one key with mid &gt; {@code after}, filtered on the raw key
     * so a hash collision never leaks another key's rows.
     */
    static Scan newestFirst(byte[] prefix, long after, byte[] keyBytes) {
        return new Scan()
                .withStartRow(RowKeys.row(prefix, Long.MAX_VALUE), true)
                .withStopRow(RowKeys.row(prefix, after), false)
                .setReversed(true)
                .setFilter(sameKey(keyBytes));
    }

    /** A forward scan over the rows of one key with mid &gt; {@code after} (below MAX). */
    static Scan oldestFirst(byte[] prefix, long after, byte[] keyBytes) {
        return new Scan()
                .withStartRow(RowKeys.row(prefix, after + 1), true)
                .withStopRow(RowKeys.row(prefix, Long.MAX_VALUE), true)
                .setFilter(sameKey(keyBytes));
    }

    private static SingleColumnValueFilter sameKey(byte[] keyBytes) {
        SingleColumnValueFilter sameKey =
                new SingleColumnValueFilter(FAMILY, COLUMN_KEY, CompareOperator.EQUAL, keyBytes);
        sameKey.setFilterIfMissing(true);
        sameKey.setLatestVersionOnly(true);
        return sameKey;
    }

    static Put put(byte[] keyBytes, byte[] prefix, long mid, byte[] payload, long expireSeconds) {
        Put put = new Put(RowKeys.row(prefix, mid));
        put.addColumn(FAMILY, COLUMN_KEY, keyBytes);
        put.addColumn(FAMILY, COLUMN_PAYLOAD, payload);
        put.addColumn(FAMILY, COLUMN_EXPIRE, Bytes.toBytes(expireSeconds));
        put.setTTL(TimeUnit.SECONDS.toMillis(expireSeconds));
        put.setDurability(Durability.SYNC_WAL); // invariant 1: durable before the ack
        return put;
    }

    private <T> CompletableFuture<T> bounded(CompletableFuture<T> f, String op, String key) {
        return deadline.bound(f, op, key);
    }
}
