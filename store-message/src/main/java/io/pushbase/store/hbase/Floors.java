package io.pushbase.store.hbase;

import static io.pushbase.schema.hbase.MessageTableLayout.CLAIM_INDEX_PREFIX;
import static io.pushbase.schema.hbase.MessageTableLayout.COLUMN_FLOOR;
import static io.pushbase.schema.hbase.MessageTableLayout.COLUMN_HEAD;
import static io.pushbase.schema.hbase.MessageTableLayout.EXPIRE_MARK_PREFIX;
import static io.pushbase.schema.hbase.MessageTableLayout.FAMILY;

import io.pushbase.store.StoreUnavailableException;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.CompletableFuture;
import org.apache.hadoop.hbase.CompareOperator;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.CheckAndMutate;
import org.apache.hadoop.hbase.client.Durability;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.filter.BinaryPrefixComparator;
import org.apache.hadoop.hbase.filter.QualifierFilter;
import org.apache.hadoop.hbase.util.Bytes;

/**
 * The low-water mark's cells on a key's head row (docs/STORE.md, "Low-water mark"): the stored
 * floor {@code m:f}, only ever raised by a check-and-mutate, and the expiry marks {@code m:x<8
 * bytes>} whose smallest is the key's shortest expiry. Stateless.
 */
final class Floors {
    /** Rounds of read-and-compare-and-set before a raise gives up (only racing raises need two). */
    static final int ROUNDS = 5;

    private Floors() {}

    /** What the head row says: its head ({@code -1} when none), floor and shortest expiry. */
    record HeadRow(long head, long floor, long minExpireSeconds) {
        static HeadRow of(Result row) {
            byte[] h = row.getValue(FAMILY, COLUMN_HEAD);
            long minExpire = 0;
            NavigableMap<byte[], byte[]> cells = row.getFamilyMap(FAMILY);
            if (cells != null) {
                for (Map.Entry<byte[], byte[]> e : cells.entrySet()) {
                    byte[] q = e.getKey();
                    if (q.length == 1 + Long.BYTES && q[0] == EXPIRE_MARK_PREFIX[0]) {
                        // Qualifiers sort by expiry: the first mark is the smallest.
                        minExpire = Bytes.toLong(q, 1);
                        break;
                    }
                }
            }
            return new HeadRow(
                    h == null || h.length < Long.BYTES ? -1 : Bytes.toLong(h, 0, Long.BYTES),
                    storedFloor(row),
                    minExpire);
        }
    }

    /** The stored floor in a read of the head row ({@code 0} when it has none). */
    static long storedFloor(Result row) {
        byte[] f = row.getValue(FAMILY, COLUMN_FLOOR);
        return f == null || f.length != Long.BYTES ? 0 : Bytes.toLong(f);
    }

    /**
     * Reads the head row's cells the low-water mark needs: every cell but the claim index's (a key
     * pushed with idempotency keys holds one per push of the window, which this read must not
     * carry).
     */
    static Get read(byte[] headRow) {
        return new Get(headRow)
                .addFamily(FAMILY)
                .setFilter(
                        new QualifierFilter(
                                CompareOperator.NOT_EQUAL,
                                new BinaryPrefixComparator(CLAIM_INDEX_PREFIX)));
    }

    /**
     * Raises the stored floor of the head row to at least {@code to} ({@code SYNC_WAL}); completes
     * once it is at least that. Callers raise it before removing the rows it covers.
     */
    static CompletableFuture<Void> raise(AsyncTable<?> table, byte[] headRow, long to) {
        return raise(table, headRow, to, 0);
    }

    private static CompletableFuture<Void> raise(
            AsyncTable<?> table, byte[] headRow, long to, int round) {
        return table.get(new Get(headRow).addColumn(FAMILY, COLUMN_FLOOR))
                .thenCompose(
                        row -> {
                            byte[] current = row.getValue(FAMILY, COLUMN_FLOOR);
                            if (current != null
                                    && current.length == Long.BYTES
                                    && Bytes.toLong(current) >= to) {
                                return CompletableFuture.completedFuture(null);
                            }
                            if (round >= ROUNDS) {
                                return CompletableFuture.failedFuture(
                                        new StoreUnavailableException(
                                                "floor still contended after " + ROUNDS + " rounds",
                                                null));
                            }
                            Put put =
                                    new Put(headRow)
                                            .addColumn(FAMILY, COLUMN_FLOOR, Bytes.toBytes(to))
                                            .setDurability(Durability.SYNC_WAL);
                            CheckAndMutate.Builder cam = CheckAndMutate.newBuilder(headRow);
                            CheckAndMutate change =
                                    current == null
                                            ? cam.ifNotExists(FAMILY, COLUMN_FLOOR).build(put)
                                            : cam.ifEquals(FAMILY, COLUMN_FLOOR, current)
                                                    .build(put);
                            return table.checkAndMutate(change)
                                    .thenCompose(
                                            r ->
                                                    r.isSuccess()
                                                            ? CompletableFuture
                                                                    .<Void>completedFuture(null)
                                                            : raise(table, headRow, to, round + 1));
                        });
    }
}
