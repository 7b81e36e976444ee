package io.pushbase.store;

import java.util.List;

/**
 * What one fetch answers: the messages, and, when asked for, the key's {@link LowWaterMark} for
 * this read ({@link LowWaterMark#NONE} when not asked).
 *
 * @param messages ascending by mid; owned by this value (not copied)
 * @param floor every message of the key with mid at or below it may be gone
 * @param more whether the key holds messages after the last of {@code messages} that the fetch left
 *     out for its limit (a reader that wants them fetches again after that mid)
 */
public record FetchPage(List<StoredMessage> messages, long floor, boolean more) {

    /** A page that says nothing more follows it. */
    public FetchPage(List<StoredMessage> messages, long floor) {
        this(messages, floor, false);
    }

    /** Whether a reader that has every message up to {@code after} misses none. */
    public boolean completeAfter(long after) {
        return floor != LowWaterMark.NONE && Math.max(after, 0) >= floor;
    }
}
