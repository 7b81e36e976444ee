package io.pushbase.store.cursor;

import java.util.List;

/**
 * The live cursors of a key and its head.
 *
 * @param head the key's largest taken mid, {@code -1} when it has none
 * @param cursors sorted by device id
 */
public record KeyCursors(long head, List<DeviceCursor> cursors) {
    public KeyCursors {
        cursors = List.copyOf(cursors);
    }
}
