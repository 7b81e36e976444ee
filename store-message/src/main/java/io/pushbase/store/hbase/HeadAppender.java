package io.pushbase.store.hbase;

import static io.pushbase.schema.hbase.MessageTableLayout.COLUMN_CLAIM;
import static io.pushbase.schema.hbase.MessageTableLayout.COLUMN_FLOOR;
import static io.pushbase.schema.hbase.MessageTableLayout.COLUMN_HEAD;
import static io.pushbase.schema.hbase.MessageTableLayout.COLUMN_KEY;
import static io.pushbase.schema.hbase.MessageTableLayout.FAMILY;

import io.pushbase.schema.hbase.MessageTableLayout;
import io.pushbase.schema.hbase.RowKeys;
import io.pushbase.store.AppendEntry;
import io.pushbase.store.AppendOutcome;
import io.pushbase.store.AppendResult;
import io.pushbase.store.InvalidArgumentException;
import io.pushbase.store.LogSpace;
import io.pushbase.store.StoreException;
import io.pushbase.store.StoreLimits;
import io.pushbase.store.StoreUnavailableException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.hadoop.hbase.Cell;
import org.apache.hadoop.hbase.CellUtil;
import org.apache.hadoop.hbase.CompareOperator;
import org.apache.hadoop.hbase.HConstants;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.CheckAndMutate;
import org.apache.hadoop.hbase.client.CheckAndMutateResult;
import org.apache.hadoop.hbase.client.Durability;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.client.Scan;
import org.apache.hadoop.hbase.filter.FilterList;
import org.apache.hadoop.hbase.filter.SingleColumnValueFilter;
import org.apache.hadoop.hbase.util.Bytes;

/**
 * The append algorithm of docs/MIDS.md for a batch of entries (a single append is a batch of one):
 *
 * <ol>
 *   <li><b>Heads.</b> One {@code checkAndMutateAll} with, per entry, "set the head to [mid][claim]
 *       if the head is smaller than mid". Entries whose head was smaller are taken.
 *   <li><b>Refused ones</b> (no head yet, an earlier attempt of ours, or a larger mid): one {@code
 *       checkAndMutateAll} of "create the head if it does not exist" and, at the same time, one
 *       batched read of each head and of each entry's own message row. A created head is taken (so
 *       the first append to a key takes three round trips with the put, not four); a head or
 *       message row carrying our claim means an earlier attempt took the mid (idempotent retry); a
 *       head still smaller than mid (a race) goes back to step 1; otherwise the entry is refused
 *       with the head. At most {@value #HEAD_ROUNDS} rounds per entry.
 *   <li><b>Messages.</b> One batched put ({@code SYNC_WAL}) of the taken entries with expire &gt;
 *       0.
 * </ol>
 *
 * <p>Entries with {@code findClaim} (a push that may have been appended before under another mid:
 * an idempotency key's retry, a web node's fallback after its comet failed) take another path
 * instead of steps 1-2 ({@link #findThenTake}): read the head row (and, without a claim index, the
 * key's message rows) for the claim; found, the entry is a duplicate and nothing new is stored; not
 * found, a compare-and-set on the exact head read takes {@code max(mid, head + 1)}. In step 2, a
 * refused plain entry whose claim holds the head at another mid is answered that mid, duplicate,
 * and writes nothing (docs/MIDS.md, "Retries without duplicates"). The claim index, when asked for
 * ({@code indexSeconds}), is a cell of the head put itself.
 *
 * <p>Why not one filtered check-and-mutate that also matches a missing head: HBase evaluates a
 * filter condition against the row's cells and counts an empty result as "no match", so a row that
 * does not exist yet can never match a filter, whatever {@code setFilterIfMissing} says (read in
 * HBase's region code, not tried).
 *
 * <p>Entries that share a head row (the same key twice, or a hash collision) go into successive
 * <i>waves</i>, each wave running all three steps after the previous one finished, so they apply in
 * list order exactly as consecutive appends would (a later entry retrying an earlier one's claim
 * finds its message row). Each HBase call is bounded by the store's deadline; a failure is pinned
 * to the entries it concerns (their outcome: unavailable), never to the batch.
 *
 * <p>Thread-safe and non-blocking; each call's state is confined to that call's chain of futures
 * (callbacks run on HBase client threads, one stage after another).
 */
final class HeadAppender {
    /** Most rounds of compare-and-set on one head before giving up (only races need more). */
    static final int HEAD_ROUNDS = 5;

    private final Supplier<? extends AsyncTable<?>> table;
    private final StoreLimits limits;
    private final RowKeys rowKeys;
    private final KeyTrimmer trimmer;
    private final Deadline deadline;
    private final ExpiryMarks marks;
    private final LogSpace space;

    HeadAppender(
            Supplier<? extends AsyncTable<?>> table,
            StoreLimits limits,
            RowKeys rowKeys,
            KeyTrimmer trimmer,
            Deadline deadline,
            ExpiryMarks marks,
            LogSpace space) {
        this.space = space;
        this.table = table;
        this.limits = limits;
        this.rowKeys = rowKeys;
        this.trimmer = trimmer;
        this.deadline = deadline;
        this.marks = marks;
    }

    /** One entry in flight: its rows, cells and (once settled) outcome. */
    private static final class Pending {
        final String key;
        final byte[] keyBytes;
        final byte[] prefix;
        // The mid to take: the request's, or (a find that found none) one above the head read.
        long mid;
        final long requestedMid;
        final byte[] claim;
        final byte[] payload;
        final long expireSeconds;
        final boolean findClaim;
        final long indexSeconds;
        // The claim index cell's timestamp (family TTL hides it after indexSeconds), when indexed.
        final long indexTimestamp;
        // The expiry mark's timestamp when the head put carries it (ExpiryMarks), else 0.
        long markTimestamp;
        long markedAt;
        // Whether a head put of this call (carrying the mark, if any) was applied.
        boolean headWritten;
        AppendResult result;
        StoreException failure;

        Pending(
                AppendEntry e,
                byte[] keyBytes,
                byte[] prefix,
                long indexSeconds,
                long retentionSeconds,
                long now) {
            this.key = e.key();
            this.keyBytes = keyBytes;
            this.prefix = prefix;
            this.mid = e.mid();
            this.requestedMid = e.mid();
            this.claim = e.claim().clone();
            this.payload = e.payload();
            this.expireSeconds = e.expireSeconds();
            this.findClaim = e.findClaim();
            this.indexSeconds = indexSeconds;
            // Family TTL = retention: a cell stamped (retention - window) in the past is hidden
            // once the window has passed.
            this.indexTimestamp = now - (retentionSeconds - indexSeconds) * 1000;
        }

        byte[] headRow() {
            return RowKeys.row(prefix, 0);
        }

        byte[] midBytes() {
            return Bytes.toBytes(mid);
        }

        Put head() {
            Put put = new Put(headRow());
            // No raw-key cell here: no read ever filters the head row on it, and colliding keys
            // share the row anyway. It was one of six cells every push wrote (issue 11).
            put.addColumn(FAMILY, COLUMN_HEAD, Bytes.add(midBytes(), claim));
            if (indexSeconds > 0) {
                // In the same compare-and-set as the head: the index is exact, online-only too.
                put.addColumn(
                        FAMILY,
                        MessageTableLayout.claimIndex(claim),
                        indexTimestamp,
                        Bytes.add(midBytes(), Bytes.toBytes(System.currentTimeMillis())));
            }
            if (markTimestamp > 0) {
                // Written with the head, so before the message: the low-water mark's expiry.
                put.addColumn(
                        FAMILY,
                        MessageTableLayout.expireMark(expireSeconds),
                        markTimestamp,
                        HConstants.EMPTY_BYTE_ARRAY);
            }
            put.setDurability(Durability.SYNC_WAL);
            return put;
        }

        Put message() {
            return HBaseMessageStore.put(keyBytes, prefix, mid, payload, expireSeconds)
                    .addColumn(FAMILY, COLUMN_CLAIM, claim);
        }

        boolean needsMessage() {
            return failure == null && result.appended() && !result.duplicate() && expireSeconds > 0;
        }

        AppendOutcome outcome() {
            return failure != null ? AppendOutcome.failed(failure) : AppendOutcome.of(result);
        }
    }

    /**
     * Appends every entry (already size-checked by the caller); an invalid entry is answered on its
     * own. Never fails as a whole.
     *
     * @param op the operation name in failure descriptions
     */
    CompletableFuture<List<AppendOutcome>> appendMany(List<AppendEntry> entries, String op) {
        AppendOutcome[] invalid = new AppendOutcome[entries.size()];
        Pending[] pending = new Pending[entries.size()];
        List<List<Pending>> waves = new ArrayList<>();
        Map<ByteBuffer, Integer> seen = new HashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            AppendEntry e = entries.get(i);
            try {
                byte[] keyBytes = space.check(limits, e.key());
                limits.checkAppend(e.mid(), e.claim(), e.payload(), e.expireSeconds());
                long indexSeconds = limits.indexSeconds(e.indexSeconds());
                long now = System.currentTimeMillis();
                pending[i] =
                        new Pending(
                                e,
                                keyBytes,
                                rowKeys.prefixOf(keyBytes),
                                indexSeconds,
                                limits.retentionSeconds(),
                                now);
                if (e.expireSeconds() > 0 && marks.needed(e.key(), e.expireSeconds(), now)) {
                    pending[i].markTimestamp = marks.markTimestamp(now);
                    pending[i].markedAt = now;
                }
            } catch (InvalidArgumentException ex) {
                invalid[i] = AppendOutcome.failed(ex);
                continue;
            }
            int wave = seen.merge(ByteBuffer.wrap(pending[i].prefix), 1, Integer::sum) - 1;
            if (wave == waves.size()) {
                waves.add(new ArrayList<>());
            }
            waves.get(wave).add(pending[i]);
        }
        CompletableFuture<Void> heads = CompletableFuture.completedFuture(null);
        for (List<Pending> wave : waves) {
            List<Pending> plain = new ArrayList<>();
            List<Pending> finds = new ArrayList<>();
            for (Pending p : wave) {
                (p.findClaim ? finds : plain).add(p);
            }
            heads =
                    heads.thenCompose(
                                    v ->
                                            CompletableFuture.allOf(
                                                    takeHeads(plain, 0, op),
                                                    findThenTake(finds, 0, op)))
                            .thenCompose(v -> putMessages(wave, op));
        }
        return heads.thenApply(
                v -> {
                    List<AppendOutcome> outcomes = new ArrayList<>(pending.length);
                    for (int i = 0; i < pending.length; i++) {
                        outcomes.add(invalid[i] != null ? invalid[i] : pending[i].outcome());
                    }
                    return outcomes;
                });
    }

    /**
     * Step 1 for {@code ps} (distinct head rows): the compare-and-set "head &lt; mid". The head
     * cell is [mid][claim], and [mid] alone compares greater than it exactly when mid is larger (a
     * shorter prefix sorts first), so "head &lt; mid" is one byte comparison. HBase's operators
     * read "given value OP existing", hence GREATER.
     */
    private CompletableFuture<Void> takeHeads(List<Pending> ps, int round, String op) {
        if (ps.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        List<CheckAndMutate> cams = new ArrayList<>(ps.size());
        for (Pending p : ps) {
            cams.add(
                    CheckAndMutate.newBuilder(p.headRow())
                            .ifMatches(FAMILY, COLUMN_HEAD, CompareOperator.GREATER, p.midBytes())
                            .build(p.head()));
        }
        List<CompletableFuture<CheckAndMutateResult>> answers = checkAndMutate(table.get(), cams);
        List<CompletableFuture<Boolean>> settled = new ArrayList<>(ps.size());
        for (int i = 0; i < ps.size(); i++) {
            Pending p = ps.get(i);
            settled.add(
                    deadline.bound(answers.get(i), op, p.key)
                            .handle(
                                    (r, err) -> {
                                        if (err != null) {
                                            p.failure = AppendOutcome.failed(err).failure();
                                            return true; // settled: failed as unavailable
                                        }
                                        if (r.isSuccess()) {
                                            p.result = new AppendResult(true, p.mid);
                                            p.headWritten = true;
                                        }
                                        return r.isSuccess();
                                    }));
        }
        return CompletableFuture.allOf(settled.toArray(CompletableFuture[]::new))
                .thenCompose(
                        v -> {
                            List<Pending> refused = flagged(ps, settled, false);
                            return refused.isEmpty()
                                    ? CompletableFuture.completedFuture(null)
                                    : resolveRefused(refused, round, op);
                        });
    }

    /**
     * One batched call, or HBase's single-row call for a batch of one (a plain mutate RPC, cheaper
     * than a multi request carrying one action).
     */
    private static List<CompletableFuture<CheckAndMutateResult>> checkAndMutate(
            AsyncTable<?> t, List<CheckAndMutate> cams) {
        return cams.size() == 1 ? List.of(t.checkAndMutate(cams.get(0))) : t.checkAndMutate(cams);
    }

    /** The entries of {@code ps} whose (completed) flag is {@code value}, in order. */
    private static List<Pending> flagged(
            List<Pending> ps, List<CompletableFuture<Boolean>> flags, boolean value) {
        List<Pending> out = new ArrayList<>();
        for (int i = 0; i < ps.size(); i++) {
            if (flags.get(i).join() == value) {
                out.add(ps.get(i));
            }
        }
        return out;
    }

    /** Fails entries whose head kept moving for {@value #HEAD_ROUNDS} rounds (only races do). */
    private static CompletableFuture<Void> contended(List<Pending> ps) {
        for (Pending p : ps) {
            p.failure =
                    new StoreUnavailableException(
                            "head of key '"
                                    + p.key
                                    + "' still contended after "
                                    + HEAD_ROUNDS
                                    + " rounds",
                            null);
        }
        return CompletableFuture.completedFuture(null);
    }

    /** Step 2: create missing heads, and read heads and our message rows, at the same time. */
    private CompletableFuture<Void> resolveRefused(List<Pending> ps, int round, String op) {
        if (round + 1 >= HEAD_ROUNDS) {
            return contended(ps);
        }
        List<CheckAndMutate> creates = new ArrayList<>(ps.size());
        List<Get> reads = new ArrayList<>(2 * ps.size());
        for (Pending p : ps) {
            creates.add(
                    CheckAndMutate.newBuilder(p.headRow())
                            .ifNotExists(FAMILY, COLUMN_HEAD)
                            .build(p.head()));
            reads.add(new Get(p.headRow()).addColumn(FAMILY, COLUMN_HEAD));
            reads.add(new Get(RowKeys.row(p.prefix, p.mid)).addColumn(FAMILY, COLUMN_CLAIM));
        }
        AsyncTable<?> t = table.get();
        List<CompletableFuture<CheckAndMutateResult>> created = checkAndMutate(t, creates);
        List<CompletableFuture<Result>> rows = t.get(reads);
        List<CompletableFuture<Boolean>> again = new ArrayList<>(ps.size());
        for (int i = 0; i < ps.size(); i++) {
            Pending p = ps.get(i);
            CompletableFuture<CheckAndMutateResult> c = deadline.bound(created.get(i), op, p.key);
            CompletableFuture<Result> h = deadline.bound(rows.get(2 * i), op, p.key);
            CompletableFuture<Result> m = deadline.bound(rows.get(2 * i + 1), op, p.key);
            again.add(
                    CompletableFuture.allOf(c, h, m)
                            .handle(
                                    (v, err) -> {
                                        if (err != null) {
                                            p.failure = AppendOutcome.failed(err).failure();
                                            return false;
                                        }
                                        return settle(p, c.join(), h.join(), m.join());
                                    }));
        }
        return CompletableFuture.allOf(again.toArray(CompletableFuture[]::new))
                .thenCompose(
                        v -> {
                            List<Pending> retry = flagged(ps, again, true);
                            return retry.isEmpty()
                                    ? CompletableFuture.completedFuture(null)
                                    : takeHeads(retry, round + 1, op);
                        });
    }

    /**
     * Settles {@code p} from step 2's answers, or returns true when it must go back to step 1.
     * Correct in whatever order HBase ran the create and the reads: the reads are used only when
     * the create failed, i.e. a head existed; a read that saw no head ran before a racing writer
     * created it, and the next round sorts that out.
     */
    private static boolean settle(
            Pending p, CheckAndMutateResult created, Result head, Result ours) {
        if (created.isSuccess()) {
            p.result = new AppendResult(true, p.mid);
            p.headWritten = true;
            return false;
        }
        byte[] cell = head.getValue(FAMILY, COLUMN_HEAD);
        if (cell == null) {
            return true;
        }
        long headMid = Bytes.toLong(cell, 0, Long.BYTES);
        byte[] headClaim = Arrays.copyOfRange(cell, Long.BYTES, cell.length);
        byte[] storedClaim = ours.getValue(FAMILY, COLUMN_CLAIM);
        boolean ourEarlierAttempt =
                headMid == p.mid && Arrays.equals(headClaim, p.claim)
                        || Arrays.equals(storedClaim, p.claim);
        if (ourEarlierAttempt) {
            p.result = new AppendResult(true, headMid);
            return false;
        }
        if (Arrays.equals(headClaim, p.claim)) {
            // Our claim holds the head at another mid: the push was appended there by another
            // node (a web node's fallback, or a retry through another comet). Never a second
            // message at our mid.
            p.result = AppendResult.duplicateAt(headMid, headMid);
            return false;
        }
        if (headMid < p.mid) {
            return true; // raced with a smaller mid
        }
        p.result = new AppendResult(false, headMid);
        return false;
    }

    /**
     * The find path ({@code findClaim} entries, distinct head rows): read the head row (head,
     * floor, the claim's index cell) and, for an entry without an index, the newest of the key's
     * message rows carrying the claim (a server-side filtered scan, bounded by the key's rows). A
     * claim found anywhere is the push's mid: the entry is a duplicate, nothing new is stored -
     * except that a message the claim took but never wrote (its node died between the head and the
     * message) is written now, if it is not trimmed, deleted or past its expiry. Not found: take
     * {@code max(mid, head + 1)} with a compare-and-set on the exact head cell read, so anything
     * that moved the head since (an append of the same claim included) sends the entry round again.
     */
    private CompletableFuture<Void> findThenTake(List<Pending> ps, int round, String op) {
        if (ps.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        if (round >= HEAD_ROUNDS) {
            return contended(ps);
        }
        AsyncTable<?> t = table.get();
        List<CompletableFuture<Boolean>> again = new ArrayList<>(ps.size());
        for (Pending p : ps) {
            byte[] index = MessageTableLayout.claimIndex(p.claim);
            CompletableFuture<Result> head =
                    deadline.bound(
                            t.get(
                                    new Get(p.headRow())
                                            .addColumn(FAMILY, COLUMN_HEAD)
                                            .addColumn(FAMILY, COLUMN_FLOOR)
                                            .addColumn(FAMILY, index)),
                            op,
                            p.key);
            CompletableFuture<List<Result>> rows =
                    p.indexSeconds > 0
                            ? CompletableFuture.completedFuture(List.of())
                            : deadline.bound(t.scanAll(claimScan(p)), op, p.key);
            again.add(
                    head.thenCombine(rows, (h, r) -> decide(p, h, r, index))
                            .thenCompose(next -> next)
                            .exceptionally(
                                    err -> {
                                        p.failure = AppendOutcome.failed(err).failure();
                                        return false;
                                    }));
        }
        return CompletableFuture.allOf(again.toArray(CompletableFuture[]::new))
                .thenCompose(
                        v -> {
                            List<Pending> retry = flagged(ps, again, true);
                            return findThenTake(retry, round + 1, op);
                        });
    }

    /** The newest message row of the entry's key whose claim is the entry's. */
    private static Scan claimScan(Pending p) {
        SingleColumnValueFilter ours =
                new SingleColumnValueFilter(FAMILY, COLUMN_CLAIM, CompareOperator.EQUAL, p.claim);
        ours.setFilterIfMissing(true);
        ours.setLatestVersionOnly(true);
        Scan scan = HBaseMessageStore.newestFirst(p.prefix, 0, p.keyBytes);
        return scan.setFilter(
                        new FilterList(FilterList.Operator.MUST_PASS_ALL, scan.getFilter(), ours))
                .addColumn(FAMILY, COLUMN_KEY)
                .addColumn(FAMILY, COLUMN_CLAIM)
                .setLimit(1)
                .setCaching(1);
    }

    /**
     * Settles a find entry from its reads, or takes a mid; completes with true when the entry must
     * go round again (the head moved between the read and the compare-and-set).
     */
    private CompletableFuture<Boolean> decide(
            Pending p, Result head, List<Result> rows, byte[] index) {
        Cell headCell = head.getColumnLatestCell(FAMILY, COLUMN_HEAD);
        byte[] headValue = headCell == null ? null : CellUtil.cloneValue(headCell);
        long headMid = headValue == null ? 0 : Bytes.toLong(headValue, 0, Long.BYTES);
        byte[] floorValue = head.getValue(FAMILY, COLUMN_FLOOR);
        long floor =
                floorValue == null || floorValue.length != Long.BYTES
                        ? 0
                        : Bytes.toLong(floorValue);
        byte[] indexed = head.getValue(FAMILY, index);
        long found = 0;
        long writtenAt = -1; // when the claim took its mid, if its message may be missing
        if (indexed != null && indexed.length == 2 * Long.BYTES) {
            found = Bytes.toLong(indexed, 0, Long.BYTES);
            writtenAt = Bytes.toLong(indexed, Long.BYTES, Long.BYTES);
        } else if (headValue != null
                && Arrays.equals(
                        Arrays.copyOfRange(headValue, Long.BYTES, headValue.length), p.claim)) {
            found = headMid;
            writtenAt = headCell.getTimestamp();
        } else if (!rows.isEmpty()) {
            found = RowKeys.mid(rows.get(0).getRow());
        }
        if (found != 0) {
            p.result = AppendResult.duplicateAt(found, Math.max(headMid, found));
            long ageMillis = System.currentTimeMillis() - writtenAt;
            if (writtenAt < 0
                    || p.expireSeconds == 0
                    || found <= floor
                    || ageMillis >= p.expireSeconds * 1000) {
                return CompletableFuture.completedFuture(false);
            }
            return completeMessage(p, found, p.expireSeconds - ageMillis / 1000);
        }
        p.mid = Math.max(p.requestedMid, headMid + 1);
        CheckAndMutate.Builder cam = CheckAndMutate.newBuilder(p.headRow());
        CheckAndMutate take =
                headValue == null
                        ? cam.ifNotExists(FAMILY, COLUMN_HEAD).build(p.head())
                        : cam.ifMatches(FAMILY, COLUMN_HEAD, CompareOperator.EQUAL, headValue)
                                .build(p.head());
        return deadline.bound(table.get().checkAndMutate(take), "append", p.key)
                .thenApply(
                        r -> {
                            if (!r.isSuccess()) {
                                return true;
                            }
                            p.result =
                                    new AppendResult(
                                            true,
                                            p.mid,
                                            p.mid == p.requestedMid ? 0 : p.mid,
                                            false);
                            p.headWritten = true;
                            return false;
                        });
    }

    /**
     * Writes the message of a claim that took {@code mid} but may not have written it (its node
     * died between the head and the message), only if the row is missing; with what is left of its
     * expiry.
     */
    private CompletableFuture<Boolean> completeMessage(Pending p, long mid, long expireSeconds) {
        Put message =
                HBaseMessageStore.put(
                                p.keyBytes, p.prefix, mid, p.payload, Math.max(1, expireSeconds))
                        .addColumn(FAMILY, COLUMN_CLAIM, p.claim);
        CheckAndMutate once =
                CheckAndMutate.newBuilder(RowKeys.row(p.prefix, mid))
                        .ifNotExists(FAMILY, COLUMN_KEY)
                        .build(message);
        return deadline.bound(table.get().checkAndMutate(once), "append", p.key)
                .thenApply(
                        r -> {
                            if (r.isSuccess()) {
                                trimmer.saved(p.key);
                            }
                            return false;
                        });
    }

    /** Step 3: one batched put of the messages of a wave's taken entries. */
    private CompletableFuture<Void> putMessages(List<Pending> wave, String op) {
        List<Pending> writes = new ArrayList<>();
        for (Pending p : wave) {
            if (p.needsMessage()) {
                writes.add(p);
            }
        }
        if (writes.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        List<Put> puts = new ArrayList<>(writes.size());
        for (Pending p : writes) {
            puts.add(p.message());
        }
        List<CompletableFuture<Void>> answers =
                puts.size() == 1 ? List.of(table.get().put(puts.get(0))) : table.get().put(puts);
        List<CompletableFuture<Void>> done = new ArrayList<>(writes.size());
        for (int i = 0; i < writes.size(); i++) {
            Pending p = writes.get(i);
            done.add(
                    deadline.bound(answers.get(i), op, p.key)
                            .handle(
                                    (v, err) -> {
                                        if (err == null) {
                                            if (p.headWritten && p.markTimestamp > 0) {
                                                marks.written(p.key, p.expireSeconds, p.markedAt);
                                            }
                                            trimmer.saved(p.key);
                                        } else {
                                            // The mid is taken, the message not stored: a gap;
                                            // a retry with the same claim stores it.
                                            p.failure = AppendOutcome.failed(err).failure();
                                        }
                                        return null;
                                    }));
        }
        return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new));
    }
}
