package io.pushbase.store.hbase;

import static io.pushbase.schema.hbase.MessageTableLayout.COLUMN_KEY;
import static io.pushbase.schema.hbase.MessageTableLayout.FAMILY;

import io.pushbase.schema.hbase.MessageTableLayout;
import io.pushbase.schema.hbase.RowKeys;
import io.pushbase.store.LowWaterMark;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.client.Scan;
import org.apache.hadoop.hbase.util.Bytes;

/**
 * How many rows a key holds above its stored floor, without reading the whole key: the per-key
 * cap's count (docs/STORE.md, "Per-key cap"). The trimmer keeps a {@link Count} on the key's head
 * row (cell {@code n<key>}, written with the floor): the rows between the floor and a
 * <i>settled</i> mark, so a count scans only the rows after that mark (the ones stored in the last
 * seconds) instead of all of them. The mark lags the newest row counted by the settle time, so a
 * message whose put lands after a later one's (concurrent appends) is still counted.
 *
 * <p>The count is used only when its floor is the key's floor (a delete or another node's trim
 * moved the floor: counted again). It is exact when no row it counted can have expired since (its
 * oldest counted row is at or above {@link LowWaterMark#expiryBound}: HBase drops expired rows
 * silently); otherwise it is an upper bound, good enough to say the key is within its cap, and a
 * key it puts over the cap is counted in full, a forward scan from the floor. Either way the scans
 * read only the raw-key column, {@value #CHUNK} rows per call, so a count holds at most that many
 * rows in memory whatever the cap.
 *
 * <p>Stateless and thread-safe; futures complete on HBase client threads.
 */
final class KeyRows {
    /** Rows per scan call of a count or a locate. */
    static final int CHUNK = 1_000;

    /**
     * The settle time of tests and tools that build a trimmer without one: how old a count must be
     * before the rows it saw are settled. A message node uses its store deadline instead (the HBase
     * operation timeout + 1 s, 6 s by default): an append whose row has not landed by then has
     * failed, so every acknowledged message is counted; a shorter time counts a put slower than it
     * one short (the key keeps one row more, a fetch's window is one row wider).
     */
    static final long SETTLE_MILLIS = 2_000;

    private final Supplier<? extends AsyncTable<?>> table;
    private final long retentionSeconds;
    private final long settleMillis;

    KeyRows(Supplier<? extends AsyncTable<?>> table, long retentionSeconds, long settleMillis) {
        this.table = table;
        this.retentionSeconds = retentionSeconds;
        this.settleMillis = settleMillis;
    }

    /**
     * The count cell: {@code settledRows} rows in ({@code floor}, {@code settled}], the oldest of
     * them at or above {@code lowest} ({@link Long#MAX_VALUE} when none); and {@code pending}, the
     * newest row a count saw at {@code pendingAtMillis}, which becomes the settled mark once that
     * count is the settle time old.
     */
    record Count(
            long floor,
            long lowest,
            long settled,
            long settledRows,
            long pending,
            long pendingAtMillis) {
        private static final int FIELDS = 6;

        byte[] encode() {
            byte[] out = new byte[FIELDS * Long.BYTES];
            long[] values = {floor, lowest, settled, settledRows, pending, pendingAtMillis};
            for (int i = 0; i < FIELDS; i++) {
                Bytes.putLong(out, i * Long.BYTES, values[i]);
            }
            return out;
        }

        /** The cell's count, or null when absent or not one. */
        static Count decode(byte[] cell) {
            if (cell == null || cell.length != FIELDS * Long.BYTES) {
                return null;
            }
            long[] v = new long[FIELDS];
            for (int i = 0; i < FIELDS; i++) {
                v[i] = Bytes.toLong(cell, i * Long.BYTES);
            }
            return new Count(v[0], v[1], v[2], v[3], v[4], v[5]);
        }

        /**
         * The count once a trim removed the {@code removed} oldest rows above the floor, up to
         * {@code raised}, which becomes the floor.
         */
        Count trimmed(long raised, long removed) {
            if (raised <= settled) {
                return new Count(
                        raised,
                        Math.max(lowest, raised + 1),
                        settled,
                        settledRows - removed,
                        pending,
                        pendingAtMillis);
            }
            // Every settled row went, and some after them: nothing settled is left.
            return new Count(
                    raised, Long.MAX_VALUE, raised, 0, Math.max(pending, raised), pendingAtMillis);
        }
    }

    /**
     * A count's answer: {@code rows} above {@code floor}; {@code next}, the cell that records it;
     * {@code previous}, the cell it started from (null: none or not trusted); {@code full}, whether
     * the key was counted in full; {@code scanned}, the rows read.
     */
    record Tally(long floor, long rows, Count next, Count previous, boolean full, long scanned) {}

    /** Rows seen by a walk: how many, the first and the last mid, how many up to a split mid. */
    private static final class Walk implements LongConsumer {
        final long split;
        long rows;
        long first = Long.MAX_VALUE;
        long last;
        long upToSplit;

        Walk(long split) {
            this.split = split;
        }

        @Override
        public void accept(long mid) {
            if (rows == 0) {
                first = mid;
            }
            rows++;
            last = mid;
            if (mid <= split) {
                upToSplit++;
            }
        }
    }

    /**
     * Counts the rows of the key above its stored floor, as {@code head} (a read of its head row,
     * {@link Floors#read}) shows it, at least well enough to tell whether they exceed {@code cap}:
     * from the recorded count when its floor is the key's, else, or when {@code full}, in full. A
     * recorded count some of whose settled rows may have expired is only an upper bound: it answers
     * when it is within the cap (expiry only removes rows), else the key is counted in full.
     */
    CompletableFuture<Tally> count(
            byte[] prefix, byte[] keyBytes, Result head, long nowMillis, long cap, boolean full) {
        long floor = Floors.storedFloor(head);
        Count cell = Count.decode(head.getValue(FAMILY, MessageTableLayout.rowCount(keyBytes)));
        if (full || cell == null || cell.floor() != floor) {
            return fullCount(prefix, keyBytes, floor, nowMillis);
        }
        long bound =
                LowWaterMark.expiryBound(
                        Floors.HeadRow.of(head).minExpireSeconds(), retentionSeconds, nowMillis);
        boolean exact = Math.max(cell.lowest(), floor + 1) >= bound;
        Walk walk = new Walk(cell.pending());
        return walk(prefix, keyBytes, cell.settled(), Long.MAX_VALUE, walk)
                .thenCompose(
                        v -> {
                            long rows = cell.settledRows() + walk.rows;
                            if (!exact && rows > cap) {
                                return fullCount(prefix, keyBytes, floor, nowMillis)
                                        .thenApply(
                                                t ->
                                                        new Tally(
                                                                t.floor(),
                                                                t.rows(),
                                                                t.next(),
                                                                null,
                                                                true,
                                                                t.scanned() + walk.rows));
                            }
                            return CompletableFuture.completedFuture(
                                    new Tally(
                                            floor,
                                            rows,
                                            settle(cell, walk, nowMillis),
                                            cell,
                                            false,
                                            walk.rows));
                        });
    }

    /**
     * The cell after a count that walked the rows after {@code cell}'s settled mark: the previous
     * count's newest row becomes the settled mark once that count is the settle time old (an
     * append's put lands within the store's deadline of its mid being taken, so by then no row
     * below it is still to come), and this count's newest row is the next pending one; a younger
     * previous count stays pending.
     */
    private Count settle(Count cell, Walk walk, long nowMillis) {
        if (nowMillis - cell.pendingAtMillis() < settleMillis) {
            return cell;
        }
        long lowest = walk.upToSplit > 0 ? Math.min(cell.lowest(), walk.first) : cell.lowest();
        return new Count(
                cell.floor(),
                lowest,
                Math.max(cell.settled(), cell.pending()),
                cell.settledRows() + walk.upToSplit,
                Math.max(cell.pending(), walk.rows == 0 ? cell.settled() : walk.last),
                nowMillis);
    }

    private CompletableFuture<Tally> fullCount(
            byte[] prefix, byte[] keyBytes, long floor, long nowMillis) {
        Walk walk = new Walk(Long.MAX_VALUE);
        return walk(prefix, keyBytes, floor, Long.MAX_VALUE, walk)
                .thenApply(
                        v -> {
                            // Nothing settled yet: the rows counted become settled once this
                            // count is old enough (see settle).
                            long newest = walk.rows == 0 ? floor : walk.last;
                            Count next =
                                    new Count(floor, Long.MAX_VALUE, floor, 0, newest, nowMillis);
                            return new Tally(floor, walk.rows, next, null, true, walk.rows);
                        });
    }

    /**
     * The mids of the first {@code n} rows of the key after {@code after}, ascending (fewer when
     * the key has fewer), through {@code each}; completes with how many there were.
     */
    CompletableFuture<Long> first(
            byte[] prefix, byte[] keyBytes, long after, long n, LongConsumer each) {
        Walk walk = new Walk(Long.MAX_VALUE);
        return walk(
                        prefix,
                        keyBytes,
                        after,
                        n,
                        mid -> {
                            walk.accept(mid);
                            each.accept(mid);
                        })
                .thenApply(v -> walk.rows);
    }

    /**
     * A forward scan of the key's rows after {@code after}, the raw-key column only, at most {@code
     * max} rows, {@value #CHUNK} per call: each row's mid goes to {@code each}, in order.
     */
    private CompletableFuture<Void> walk(
            byte[] prefix, byte[] keyBytes, long after, long max, LongConsumer each) {
        if (max <= 0 || after == Long.MAX_VALUE) {
            return CompletableFuture.completedFuture(null);
        }
        int n = (int) Math.min(CHUNK, max);
        Scan scan =
                HBaseMessageStore.oldestFirst(prefix, after, keyBytes)
                        .addColumn(FAMILY, COLUMN_KEY)
                        .setLimit(n)
                        .setCaching(n);
        return table.get()
                .scanAll(scan)
                .thenCompose(
                        rows -> {
                            long last = after;
                            for (Result r : rows) {
                                last = RowKeys.mid(r.getRow());
                                each.accept(last);
                            }
                            return rows.size() < n
                                    ? CompletableFuture.<Void>completedFuture(null)
                                    : walk(prefix, keyBytes, last, max - n, each);
                        });
    }
}
