package io.pushbase.store.hbase;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Which expiry marks this node has written to which keys' head rows, so an append adds the mark
 * cell to the head put it sends anyway only when the key's recorded shortest expiry would not cover
 * its message: the first time this node stores to the key (or after forgetting it), when the
 * message's expiry is shorter than any this node wrote, or when this node's mark is older than the
 * retention (a mark is written with a timestamp one retention ahead, so it lives two retentions:
 * longer than any message it covers). In steady state (one expiry per key) no push adds a cell.
 *
 * <p>Forgetting keys only makes their next append write the mark again: the map is cleared whenever
 * it grows past its bound (cheaper on the append path than an LRU's lock). Thread-safe and
 * lock-free for the lookup every stored message makes.
 */
final class ExpiryMarks {
    private record Written(long expireSeconds, long atMillis) {}

    private final long retentionMillis;
    private final int maxKeys;
    private final ConcurrentHashMap<String, Written> written = new ConcurrentHashMap<>();

    ExpiryMarks(int maxKeys, long retentionSeconds) {
        this.retentionMillis = retentionSeconds * 1000;
        this.maxKeys = maxKeys;
    }

    /** Whether a message of {@code key} stored now with {@code expireSeconds} needs its mark. */
    boolean needed(String key, long expireSeconds, long nowMillis) {
        Written w = written.get(key);
        return w == null
                || expireSeconds < w.expireSeconds()
                || nowMillis - w.atMillis() > retentionMillis;
    }

    /** The mark for {@code expireSeconds} is in {@code key}'s head row since {@code nowMillis}. */
    void written(String key, long expireSeconds, long nowMillis) {
        if (written.size() >= maxKeys) {
            written.clear();
        }
        written.put(key, new Written(expireSeconds, nowMillis));
    }

    /** The timestamp a mark is written with: one retention ahead of now (see the class). */
    long markTimestamp(long nowMillis) {
        return nowMillis + retentionMillis;
    }
}
