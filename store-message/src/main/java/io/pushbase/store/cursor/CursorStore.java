package io.pushbase.store.cursor;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Device cursors (docs/STORE.md, "Device cursors"): per (key, device) the largest mid the device
 * acknowledged, which never moves backwards, lives {@link CursorLimits#lifetimeSeconds()} after its
 * last ack, and exists for at most {@link CursorLimits#maxDevicesPerKey()} devices per key.
 *
 * <p>Every method returns at once. Implementations are thread-safe. Semantics shared by every
 * implementation (proved by {@code CursorStoreContract}):
 *
 * <ul>
 *   <li>An ack raises the cursor to its mid when that is larger; else it leaves the value and
 *       refreshes the lifetime. Racing acks of one device end at the largest.
 *   <li>An ack above the key's head (a mid never taken) is {@link AckResult.Status#NOT_ISSUED}.
 *   <li>An ack of a device without a live cursor, when the key has the most, is {@link
 *       AckResult.Status#TOO_MANY_DEVICES}; an expired cursor frees its place.
 * </ul>
 */
public interface CursorStore {
    /**
     * Applies each ack, answered per ack in the order of {@code acks}; an invalid ack fails on its
     * own ({@link AckResult.Status#INVALID}). The future fails with {@code
     * InvalidArgumentException} only for an empty call or one over {@link
     * CursorLimits#maxEntriesPerCall()}. Completes when every ack is settled, each stored one
     * durable.
     */
    CompletableFuture<List<AckResult>> ackMany(List<Ack> acks);

    /** The live cursors of {@code key} (sorted by device) and its head. */
    CompletableFuture<KeyCursors> cursors(String key);
}
