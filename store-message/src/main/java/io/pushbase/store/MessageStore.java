package io.pushbase.store;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Per-key logs of messages by exact int64 message id ({@code mid}) with per-message expiry.
 *
 * <p>Every method returns at once; the future completes when the store has answered. Futures fail
 * with {@link InvalidArgumentException} for requests that break {@link StoreLimits} (nothing is
 * stored) and with {@link StoreUnavailableException} when the backing store did not answer within
 * its bounded time. Implementations are thread-safe; calls for different keys proceed in parallel.
 *
 * <p>Semantics shared by every implementation (proved by the contract test):
 *
 * <ul>
 *   <li>{@code append} completes only once the message is durable (for HBase: the put returned with
 *       the WAL synced). Appending the same (key, mid, claim) twice leaves one message.
 *   <li>A message with {@code expireSeconds = N} is never returned after N seconds.
 *   <li>At most {@link StoreLimits#maxStoredPerKey()} newest messages of a key are returned; older
 *       ones are removed in bounded time, never piling up.
 * </ul>
 */
public interface MessageStore {

    /**
     * Appends one message with store-enforced ordering: takes {@code mid} for {@code key} only if
     * it is greater than every mid taken for the key before (an atomic compare-and-set on the key's
     * head), then stores the message; else stores nothing and reports the head. Retrying with the
     * same mid and {@code claim} is idempotent. {@code expireSeconds = 0} takes the mid and stores
     * nothing (online-only messages). {@link #delete} keeps the head. Completes when the message is
     * durable.
     *
     * @param claim 1..32 bytes the caller picks per push (e.g. random), identifying it
     */
    default CompletableFuture<AppendResult> append(
            String key, long mid, byte[] claim, byte[] payload, long expireSeconds) {
        return append(new AppendEntry(key, mid, claim, payload, expireSeconds));
    }

    /**
     * {@link #append(String, long, byte[], byte[], long)} with the entry's options: with {@link
     * AppendEntry#findClaim()} the claim is looked up first (the head, its index, else the key's
     * stored messages) and, found, answered {@link AppendResult#duplicate()} with the mid it holds
     * and nothing new stored; not found, a mid of at least {@code mid} and above the head is taken
     * ({@link AppendResult#claimedMid()} when it is not {@code mid}) by a compare-and-set on the
     * exact head read. With {@link AppendEntry#indexSeconds()} the claim is indexed with the head
     * for that long. A plain append whose claim already holds the head at another mid is answered
     * that mid, duplicate, and writes nothing (docs/MIDS.md, "Retries without duplicates").
     */
    CompletableFuture<AppendResult> append(AppendEntry entry);

    /**
     * Appends many messages, each entry exactly as {@link #append} would (same checks, same
     * compare-and-set on its key's head, same idempotent retry by claim, same {@code expireSeconds
     * = 0}), answered per entry in the order of {@code entries}. Entries are independent (no
     * atomicity across them); entries sharing a key (or a head row, on a hash collision) are
     * applied in list order, as consecutive appends. An invalid entry fails on its own ({@link
     * AppendOutcome#failure()}); the returned future fails with {@link InvalidArgumentException}
     * only for an empty list or more than {@link StoreLimits#maxEntriesPerAppendMany()} entries.
     * Completes when every entry is settled, each appended one durable.
     */
    CompletableFuture<List<AppendOutcome>> appendMany(List<AppendEntry> entries);

    /**
     * Unexpired messages of {@code key} with mid &gt; {@code after}, ascending by mid, at most
     * {@code limit} (0 = the per-key cap), taken from the newest cap messages of the key.
     */
    default CompletableFuture<List<StoredMessage>> fetch(String key, long after, int limit) {
        return fetch(key, after, limit, false).thenApply(FetchPage::messages);
    }

    /**
     * {@link #fetch(String, long, int)}, and with {@code withFloor} the key's low-water mark for
     * this read ({@link LowWaterMark}): every message with mid at or below it may be gone. The
     * floor is read after the messages, so a trim or delete that removed rows the read missed has
     * raised it already. Without {@code withFloor} it costs nothing more than the plain fetch.
     */
    CompletableFuture<FetchPage> fetch(String key, long after, int limit, boolean withFloor);

    /** The largest unexpired mid of {@code key}, 0 if it has none. */
    CompletableFuture<Long> last(String key);

    /** Removes every message of {@code key} (its head stays: mids keep growing). */
    CompletableFuture<Void> delete(String key);
}
