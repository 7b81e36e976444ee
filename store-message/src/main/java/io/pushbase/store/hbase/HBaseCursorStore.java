package io.pushbase.store.hbase;

import static io.pushbase.schema.hbase.MessageTableLayout.COLUMN_HEAD;
import static io.pushbase.schema.hbase.MessageTableLayout.CURSOR_PREFIX;
import static io.pushbase.schema.hbase.MessageTableLayout.FAMILY;

import io.pushbase.cluster.grpc.GrpcFutures;
import io.pushbase.schema.hbase.MessageTableLayout;
import io.pushbase.schema.hbase.RowKeys;
import io.pushbase.store.StoreUnavailableException;
import io.pushbase.store.cursor.Ack;
import io.pushbase.store.cursor.AckResult;
import io.pushbase.store.cursor.CursorLimits;
import io.pushbase.store.cursor.CursorStore;
import io.pushbase.store.cursor.DeviceCursor;
import io.pushbase.store.cursor.KeyCursors;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.hadoop.hbase.Cell;
import org.apache.hadoop.hbase.CellUtil;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.CheckAndMutate;
import org.apache.hadoop.hbase.client.Durability;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.filter.MultipleColumnPrefixFilter;
import org.apache.hadoop.hbase.util.Bytes;

/**
 * The durable {@link CursorStore}: each cursor is one cell on its key's head row ({@code m:a<device
 * id>} = the mid, 8 big-endian bytes; docs/STORE.md, "Device cursors"), beside the head it is
 * checked against, so one read answers the head, the device's cursor and the key's device count.
 *
 * <p>An ack reads the head row's head and cursor cells. Below its mid, it writes the mid with a
 * check-and-mutate on the exact value it read ({@code ifNotExists} for a new device, {@code
 * ifEquals} otherwise): a racing ack that changed the cell makes the write fail and the ack read
 * again (at most {@value #ROUNDS} rounds), so a cursor never moves backwards. At or above its mid,
 * it rewrites the value read, again only if unchanged (a refresh; losing that race means a racing
 * ack just wrote the cell). Each write carries a cell TTL of the cursor lifetime and HBase's own
 * timestamp, so a device that stops acknowledging disappears that long after its last ack, and a
 * re-ack of the same mid refreshes it. The device bound is checked on the read: first acks of new
 * devices racing in the same instant may pass together (the proto says so).
 *
 * <p>Two keys whose hashes collide share a head row, so they share cursors (as they share floor and
 * marks, docs/STORE.md); with an 8-byte MD5 prefix that takes billions of keys.
 *
 * <p>Thread-safe and non-blocking; borrows the table as {@link HBaseMessageStore} does. Every HBase
 * failure, and any answer slower than the deadline, is that ack's {@link
 * AckResult.Status#UNAVAILABLE} (or fails {@link #cursors} with {@link StoreUnavailableException}).
 */
public final class HBaseCursorStore implements CursorStore {
    /**
     * Rounds of read-and-compare-and-set before an ack gives up: only acks of one device racing
     * with larger mids need more than one (comets coalesce a device's acks, so that is rare).
     */
    static final int ROUNDS = 10;

    private final Supplier<? extends AsyncTable<?>> table;
    private final RowKeys rowKeys;
    private final CursorLimits limits;
    private final Deadline deadline;

    public HBaseCursorStore(
            Supplier<? extends AsyncTable<?>> table,
            RowKeys rowKeys,
            CursorLimits limits,
            long deadlineMillis) {
        this.table = table;
        this.rowKeys = rowKeys;
        this.limits = limits;
        this.deadline = new Deadline(deadlineMillis);
    }

    @Override
    public CompletableFuture<List<AckResult>> ackMany(List<Ack> acks) {
        return GrpcFutures.attempt(
                () -> {
                    limits.checkEntries(acks);
                    List<CompletableFuture<AckResult>> each = new ArrayList<>(acks.size());
                    for (Ack ack : acks) {
                        each.add(ack(ack));
                    }
                    return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                            .thenApply(v -> each.stream().map(CompletableFuture::join).toList());
                });
    }

    private CompletableFuture<AckResult> ack(Ack ack) {
        String problem = CursorLimits.problem(ack);
        if (problem != null) {
            return CompletableFuture.completedFuture(AckResult.invalid(problem));
        }
        byte[] headRow = RowKeys.row(rowKeys.prefix(ack.key()), 0);
        return deadline.bound(round(ack, headRow, 0), "ack", ack.key())
                .exceptionally(e -> AckResult.unavailable(GrpcFutures.unwrap(e).getMessage()));
    }

    private CompletableFuture<AckResult> round(Ack ack, byte[] headRow, int round) {
        AsyncTable<?> t = table.get();
        byte[] qualifier = MessageTableLayout.cursor(ack.device());
        return t.get(headAndCursors(headRow))
                .thenCompose(
                        row -> {
                            long head = head(row);
                            if (ack.mid() > head) {
                                return done(AckResult.notIssued(ack.mid(), head));
                            }
                            byte[] current = row.getValue(FAMILY, qualifier);
                            if (current == null && cursorCells(row) >= limits.maxDevicesPerKey()) {
                                return done(AckResult.tooManyDevices(limits.maxDevicesPerKey()));
                            }
                            long read =
                                    current == null || current.length != Long.BYTES
                                            ? 0
                                            : Bytes.toLong(current);
                            if (current != null && read >= ack.mid()) {
                                if (round > 0) {
                                    // A racing ack wrote it since our first read: it is fresh.
                                    return done(AckResult.stored(read));
                                }
                                // Refresh the lifetime, keeping the value. Losing this race
                                // means a racing ack wrote the cell: fresh, and at least read.
                                return t.checkAndMutate(
                                                CheckAndMutate.newBuilder(headRow)
                                                        .ifEquals(FAMILY, qualifier, current)
                                                        .build(cursorPut(headRow, qualifier, read)))
                                        .thenApply(r -> AckResult.stored(read));
                            }
                            if (round >= ROUNDS) {
                                return CompletableFuture.failedFuture(
                                        new StoreUnavailableException(
                                                "cursor still contended after "
                                                        + ROUNDS
                                                        + " rounds",
                                                null));
                            }
                            CheckAndMutate.Builder cam = CheckAndMutate.newBuilder(headRow);
                            Put put = cursorPut(headRow, qualifier, ack.mid());
                            CheckAndMutate change =
                                    current == null
                                            ? cam.ifNotExists(FAMILY, qualifier).build(put)
                                            : cam.ifEquals(FAMILY, qualifier, current).build(put);
                            return t.checkAndMutate(change)
                                    .thenCompose(
                                            r ->
                                                    r.isSuccess()
                                                            ? done(AckResult.stored(ack.mid()))
                                                            : round(ack, headRow, round + 1));
                        });
    }

    /** The cursor cell at {@code mid}, with the lifetime as its TTL ({@code SYNC_WAL}). */
    private Put cursorPut(byte[] headRow, byte[] qualifier, long mid) {
        return new Put(headRow)
                .addColumn(FAMILY, qualifier, Bytes.toBytes(mid))
                .setTTL(limits.lifetimeSeconds() * 1000)
                .setDurability(Durability.SYNC_WAL);
    }

    private static CompletableFuture<AckResult> done(AckResult result) {
        return CompletableFuture.completedFuture(result);
    }

    /** The head row's head and cursor cells: nothing else of it (claim index, marks). */
    private static Get headAndCursors(byte[] headRow) {
        return new Get(headRow)
                .addFamily(FAMILY)
                .setFilter(
                        new MultipleColumnPrefixFilter(new byte[][] {COLUMN_HEAD, CURSOR_PREFIX}));
    }

    private static long head(Result row) {
        byte[] h = row.getValue(FAMILY, COLUMN_HEAD);
        return h == null || h.length < Long.BYTES ? -1 : Bytes.toLong(h, 0, Long.BYTES);
    }

    private static int cursorCells(Result row) {
        int n = 0;
        for (Cell c : cells(row)) {
            if (isCursor(c)) {
                n++;
            }
        }
        return n;
    }

    /** The row's cells; none for an empty result. */
    private static Cell[] cells(Result row) {
        Cell[] cells = row.rawCells();
        return cells == null ? new Cell[0] : cells;
    }

    private static boolean isCursor(Cell c) {
        return c.getQualifierLength() > CURSOR_PREFIX.length
                && c.getQualifierArray()[c.getQualifierOffset()] == CURSOR_PREFIX[0];
    }

    @Override
    public CompletableFuture<KeyCursors> cursors(String key) {
        return GrpcFutures.attempt(
                () -> {
                    CursorLimits.checkKey(key);
                    byte[] headRow = RowKeys.row(rowKeys.prefix(key), 0);
                    return deadline.bound(
                            table.get()
                                    .get(headAndCursors(headRow))
                                    .thenApply(
                                            row -> {
                                                List<DeviceCursor> cursors = new ArrayList<>();
                                                for (Cell c : cells(row)) {
                                                    if (!isCursor(c)
                                                            || c.getValueLength() != Long.BYTES) {
                                                        continue;
                                                    }
                                                    byte[] q = CellUtil.cloneQualifier(c);
                                                    cursors.add(
                                                            new DeviceCursor(
                                                                    new String(
                                                                            q,
                                                                            1,
                                                                            q.length - 1,
                                                                            StandardCharsets
                                                                                    .US_ASCII),
                                                                    Bytes.toLong(
                                                                            CellUtil.cloneValue(c)),
                                                                    c.getTimestamp()));
                                                }
                                                // Qualifiers sort by bytes: by device id already.
                                                return new KeyCursors(head(row), cursors);
                                            }),
                            "cursors",
                            key);
                });
    }
}
