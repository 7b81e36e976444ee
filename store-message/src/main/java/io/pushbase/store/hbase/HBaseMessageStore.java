package io.pushbase.store.hbase;

import static io.pushbase.schema.hbase.MessageTableLayout.COLUMN_EXPIRE;
import static io.pushbase.schema.hbase.MessageTableLayout.COLUMN_KEY;
import static io.pushbase.schema.hbase.MessageTableLayout.COLUMN_PAYLOAD;
import static io.pushbase.schema.hbase.MessageTableLayout.FAMILY;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
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
 * other's messages. A fetch is one forward scan of its page and one row more; only a full page
 * (more rows follow) also counts the key's rows ({@link KeyRows}, bounded by what was stored since
 * the trimmer's last count) to leave out the rows beyond the newest cap the {@link KeyTrimmer} has
 * not deleted yet, and reads the key's floor again after its scans: a trim or delete that moved it
 * meanwhile makes the fetch find its window again, so a fetch from 0 answers exactly the newest cap
 * under racing appends and trims. What a fetch holds is bounded by its page, whatever the cap.
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
    private final KeyRows keyRows;
    private final LogSpace space;
    private final Counter windowsMoved;

    /**
     * Keys whose expiry marks this node remembers writing (ExpiryMarks); forgetting costs a cell.
     */
    static final int EXPIRY_MARKED_KEYS = 100_000;

    /**
     * A store of keys' logs whose metrics go nowhere: for tests and tools that do not read them.
     */
    public HBaseMessageStore(
            Supplier<? extends AsyncTable<?>> table,
            StoreLimits limits,
            RowKeys rowKeys,
            KeyTrimmer trimmer,
            long deadlineMillis) {
        this(table, limits, rowKeys, trimmer, deadlineMillis, LogSpace.KEYS, new MetricRegistry());
    }

    /**
     * The store of the logs of {@code space} as a message node runs it: {@link LogSpace#ROOMS}
     * (Pushbase, docs/STORE.md "Room logs") serves room logs over the same table, with a trimmer of
     * its own (built with the same space). {@code metrics} counts the full-page fetches that found
     * their window again because a trim or delete moved the key's floor under them (counter {@code
     * store.fetch.windowMoved}; one that still found it moving after {@link Floors#ROUNDS} tries
     * fails {@code UNAVAILABLE}, counted as any fetch failure).
     *
     * @param deadlineMillis upper bound on any one operation; set a little above the HBase client's
     *     operation timeout so the client's own timeout normally fires first
     */
    public HBaseMessageStore(
            Supplier<? extends AsyncTable<?>> table,
            StoreLimits limits,
            RowKeys rowKeys,
            KeyTrimmer trimmer,
            long deadlineMillis,
            LogSpace space,
            MetricRegistry metrics) {
        this.windowsMoved = metrics.counter("store.fetch.windowMoved");
        this.space = space;
        this.table = table;
        this.limits = limits;
        this.rowKeys = rowKeys;
        this.deadline = new Deadline(deadlineMillis);
        this.keyRows = new KeyRows(table, limits.retentionSeconds(), deadlineMillis);
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
                        return withFloor(key, prefix, List.of(), false, 0, withFloor);
                    }
                    // One forward scan of the page and one row more: whether more follow. What a
                    // fetch holds is bounded by its page, whatever the cap.
                    return bounded(
                                    table.get().scanAll(page(prefix, from, keyBytes, max)),
                                    "fetch",
                                    key)
                            .thenCompose(
                                    rows ->
                                            rows.size() <= max
                                                    // Fewer rows after `from` than the page (at
                                                    // most the cap): all in the cap window.
                                                    ? withFloor(
                                                            key,
                                                            prefix,
                                                            messages(rows, max),
                                                            false,
                                                            0,
                                                            withFloor)
                                                    : windowed(
                                                            new FullPage(
                                                                    key, keyBytes, prefix, from,
                                                                    max, rows, withFloor),
                                                            0));
                });
    }

    private static Scan page(byte[] prefix, long from, byte[] keyBytes, int max) {
        return oldestFirst(prefix, from, keyBytes).setLimit(max + 1).setCaching(max + 1);
    }

    /**
     * A full page: the key may hold more rows than its cap (the trimmer not done yet, or several
     * nodes' untrimmed rows), and only the newest cap are answered; rows left out count as gone
     * (the window floor). The key's row count ({@link KeyRows}) tells how many rows lie above its
     * floor, so the boundary is the {@code rows - cap}-th of them, forward from the floor: neither
     * read grows with the cap.
     *
     * <p>The count is read with the floor, but the rows are walked after: a trim that raised the
     * floor and deleted rows in between left the count too high by what it deleted, and the
     * boundary that many rows too new (a fetch from 0 answered a trim's worth short of the cap: the
     * reverted count of docs/BENCHMARKS.md). Every trim and delete raises the floor before it
     * deletes, and the floor never comes back, so the head row is read again after the last scan:
     * the same floor means no row above the first read's floor went while the fetch counted and
     * scanned, and the answer is exact; another means it is done again ({@link Floors#ROUNDS} at
     * most, then {@code UNAVAILABLE}). The second read is also the page's floor read.
     */
    private CompletableFuture<FetchPage> windowed(FullPage p, int round) {
        int cap = limits.maxStoredPerKey();
        return bounded(table.get().get(Floors.read(p.headRow())), "fetch", p.key())
                .thenCompose(
                        head ->
                                boundary(p.keyBytes(), p.prefix(), head, cap, false, p.key())
                                        .thenCompose(
                                                boundary ->
                                                        windowPage(p, boundary)
                                                                .thenCompose(
                                                                        page ->
                                                                                checked(
                                                                                        p,
                                                                                        round,
                                                                                        Floors
                                                                                                .storedFloor(
                                                                                                        head),
                                                                                        boundary,
                                                                                        page))));
    }

    /**
     * A fetch whose first scan filled its page: what it asked and {@code rows}, that scan (the page
     * and one row more, after {@code from}).
     */
    private record FullPage(
            String key,
            byte[] keyBytes,
            byte[] prefix,
            long from,
            int max,
            List<Result> rows,
            boolean withFloor) {
        byte[] headRow() {
            return RowKeys.row(prefix, 0);
        }
    }

    /**
     * The page within the window above {@code boundary}: the first scan's rows when the boundary is
     * not above {@code from}, else a scan after the boundary.
     */
    private CompletableFuture<List<Result>> windowPage(FullPage p, long boundary) {
        return boundary <= p.from()
                ? CompletableFuture.completedFuture(p.rows())
                : bounded(
                        table.get().scanAll(page(p.prefix(), boundary, p.keyBytes(), p.max())),
                        "fetch",
                        p.key());
    }

    /**
     * Answers {@code page} (scanned after {@code boundary}) if the key's floor is still {@code
     * floor}, read after every scan of the fetch; else the window is found again.
     */
    private CompletableFuture<FetchPage> checked(
            FullPage p, int round, long floor, long boundary, List<Result> page) {
        return bounded(table.get().get(Floors.read(p.headRow())), "fetch", p.key())
                .thenCompose(
                        head -> {
                            if (Floors.storedFloor(head) == floor) {
                                return CompletableFuture.completedFuture(
                                        answer(
                                                messages(page, p.max()),
                                                page.size() > p.max(),
                                                boundary,
                                                p.withFloor() ? head : null));
                            }
                            windowsMoved.inc();
                            if (round + 1 >= Floors.ROUNDS) {
                                return CompletableFuture.failedFuture(
                                        new StoreUnavailableException(
                                                "the floor of key '"
                                                        + p.key()
                                                        + "' moved under "
                                                        + Floors.ROUNDS
                                                        + " fetches of its cap window",
                                                null));
                            }
                            return windowed(p, round + 1);
                        });
    }

    /**
     * The cap window's boundary: the largest mid outside the newest {@code cap} rows of the key, at
     * least its floor (rows at or below it that a trim has not deleted yet are outside too). A
     * count found wrong (fewer rows above the floor than it said) is done again in full.
     */
    private CompletableFuture<Long> boundary(
            byte[] keyBytes, byte[] prefix, Result head, int cap, boolean full, String key) {
        return bounded(
                        keyRows.count(
                                prefix, keyBytes, head, System.currentTimeMillis(), cap, full),
                        "fetch",
                        key)
                .thenCompose(
                        tally -> {
                            long excess = tally.rows() - cap;
                            if (excess <= 0) {
                                // Rows at or below the floor may still be there (a trim raised
                                // it and is deleting them): never part of the newest cap.
                                return CompletableFuture.completedFuture(tally.floor());
                            }
                            long[] last = {tally.floor()};
                            return bounded(
                                            keyRows.first(
                                                    prefix,
                                                    keyBytes,
                                                    tally.floor(),
                                                    excess,
                                                    mid -> last[0] = mid),
                                            "fetch",
                                            key)
                                    .thenCompose(
                                            found ->
                                                    found < excess && !tally.full()
                                                            ? boundary(
                                                                    keyBytes, prefix, head, cap,
                                                                    true, key)
                                                            : CompletableFuture.completedFuture(
                                                                    last[0]));
                        });
    }

    /**
     * The page, with the key's floor when asked: the head row is read after the messages, so a trim
     * or delete that removed rows the scan missed has raised the floor already.
     */
    private CompletableFuture<FetchPage> withFloor(
            String key,
            byte[] prefix,
            List<StoredMessage> page,
            boolean more,
            long omitted,
            boolean withFloor) {
        if (!withFloor) {
            return CompletableFuture.completedFuture(answer(page, more, omitted, null));
        }
        return bounded(table.get().get(Floors.read(RowKeys.row(prefix, 0))), "fetch", key)
                .thenApply(row -> answer(page, more, omitted, row));
    }

    /** The page, with the floor from {@code head} (a read after the page's scan) unless null. */
    private FetchPage answer(List<StoredMessage> page, boolean more, long omitted, Result head) {
        if (head == null) {
            return new FetchPage(page, LowWaterMark.NONE, more);
        }
        Floors.HeadRow row = Floors.HeadRow.of(head);
        return new FetchPage(
                page,
                LowWaterMark.floor(
                        row.head(),
                        row.floor(),
                        omitted,
                        row.minExpireSeconds(),
                        limits.retentionSeconds(),
                        System.currentTimeMillis()),
                more);
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
