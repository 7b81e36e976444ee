package io.pushbase.store;

/**
 * The rule both stores answer a key's low-water mark ({@code floor}) by: every message of the key
 * with a mid at or below it may be gone, so a reader that has every message up to {@code after} has
 * them all when {@code after >= floor} ("complete") and may have missed some otherwise
 * ("truncated"). Conservative by design: a wrong "complete" would let a client silently miss
 * messages, a wrong "truncated" only makes it reload (docs/STORE.md, "Low-water mark").
 *
 * <p>The floor is the largest of
 *
 * <ul>
 *   <li>the <b>stored floor</b>: raised to the largest mid the per-key cap's trimming removed, and
 *       by a delete to the key's head (every mid taken so far), always before the rows go;
 *   <li>the <b>window floor</b>: the largest mid this fetch left out because it answers only from
 *       the newest {@code maxStoredPerKey} messages (0 when it left none out);
 *   <li>the <b>expiry floor</b>: "now" minus the key's shortest expiry ever stored, plus {@link
 *       #CLOCK_MARGIN_MILLIS}, as a mid (mids are 100 ns units since the epoch): a message pushed
 *       after {@code after} was pushed no earlier than {@code after}'s time, so none can have
 *       expired while {@code after} is younger than that;
 *   <li>the <b>retention floor</b>: the same with the retention (no message outlives it), which
 *       also covers a key whose head and marks are gone;
 * </ul>
 *
 * and, when the key has a head, at most the head: no message has a larger mid, so a reader at or
 * past the head misses nothing. Stateless.
 */
public final class LowWaterMark {
    /**
     * How far apart the clocks that stamp mids (comets, web nodes) and the store's clock (HBase's
     * region servers, which expire cells) may be, and so how far a mid may run ahead of the time
     * its message was stored: the expiry and retention floors are moved up by it. Mids run ahead of
     * a clock only by another node's clock skew (docs/MIDS.md), which NTP keeps to milliseconds.
     */
    public static final long CLOCK_MARGIN_MILLIS = 10_000;

    /** Mids count 100 ns units: this many per millisecond. */
    public static final long MIDS_PER_MILLI = 10_000;

    /** A fetch's floor when it was not asked for. */
    public static final long NONE = -1;

    private LowWaterMark() {}

    /**
     * @param head the key's largest taken mid, or {@code -1} when the key has no head (never
     *     appended, or its head row expired with everything else)
     * @param stored the stored floor (trim, delete), 0 if none
     * @param window the largest mid the fetch left out for the cap window, 0 if none
     * @param minExpireSeconds the key's shortest expiry of a stored message, 0 if none recorded
     * @param retentionSeconds the longest expiry any message may have
     * @param nowMillis the store's clock
     * @return the floor, at least 0
     */
    public static long floor(
            long head,
            long stored,
            long window,
            long minExpireSeconds,
            long retentionSeconds,
            long nowMillis) {
        long floor = Math.max(Math.max(stored, window), 0);
        floor = Math.max(floor, since(nowMillis, retentionSeconds));
        if (minExpireSeconds > 0) {
            floor = Math.max(floor, since(nowMillis, minExpireSeconds));
        }
        return head >= 0 ? Math.min(floor, head) : floor;
    }

    /**
     * The expiry terms of {@link #floor} alone: a message of the key with a mid at or above it
     * cannot have expired yet (it was stored no earlier than its mid's time, and lives at least the
     * key's shortest expiry); one below may have. The per-key cap's row count trusts its count only
     * above it (docs/STORE.md, "Per-key cap").
     */
    public static long expiryBound(long minExpireSeconds, long retentionSeconds, long nowMillis) {
        long bound = since(nowMillis, retentionSeconds);
        return minExpireSeconds > 0 ? Math.max(bound, since(nowMillis, minExpireSeconds)) : bound;
    }

    /** The mid of {@code now - seconds + margin}, at least 0. */
    private static long since(long nowMillis, long seconds) {
        long millis = nowMillis - seconds * 1000 + CLOCK_MARGIN_MILLIS;
        return millis <= 0 ? 0 : millis * MIDS_PER_MILLI;
    }
}
