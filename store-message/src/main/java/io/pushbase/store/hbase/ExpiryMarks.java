package io.pushbase.store.hbase;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which expiry marks this node has written to which keys' head rows, so an append adds the mark
 * cell to the head put it sends anyway only when the key's recorded shortest expiry would not cover
 * its message: the first time this node stores to the key (or after forgetting it), when the
 * message's expiry is shorter than any this node wrote, or when this node's mark is older than the
 * retention (a mark is written with a timestamp one retention ahead, so it lives two retentions:
 * longer than any message it covers). In steady state (one expiry per key) no push adds a cell.
 *
 * <p>Forgetting a key (the map is a bounded LRU) only makes the next append write its mark again.
 * Thread-safe (one lock; a lookup and an update per stored message).
 */
final class ExpiryMarks {
    private record Written(long expireSeconds, long atMillis) {}

    private final long retentionMillis;
    private final Map<String, Written> written;

    ExpiryMarks(int maxKeys, long retentionSeconds) {
        this.retentionMillis = retentionSeconds * 1000;
        this.written =
                new LinkedHashMap<>(1024, 0.75f, true) {
                    private static final long serialVersionUID = 1L;

                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, Written> eldest) {
                        return size() > maxKeys;
                    }
                };
    }

    /** Whether a message of {@code key} stored now with {@code expireSeconds} needs its mark. */
    boolean needed(String key, long expireSeconds, long nowMillis) {
        Written w;
        synchronized (written) {
            w = written.get(key);
        }
        return w == null
                || expireSeconds < w.expireSeconds()
                || nowMillis - w.atMillis() > retentionMillis;
    }

    /** The mark for {@code expireSeconds} is in {@code key}'s head row since {@code nowMillis}. */
    void written(String key, long expireSeconds, long nowMillis) {
        synchronized (written) {
            written.put(key, new Written(expireSeconds, nowMillis));
        }
    }

    /** The timestamp a mark is written with: one retention ahead of now (see the class). */
    long markTimestamp(long nowMillis) {
        return nowMillis + retentionMillis;
    }
}
