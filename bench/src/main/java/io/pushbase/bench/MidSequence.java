package io.pushbase.bench;

import io.pushbase.schema.client.MidClock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Time-like message ids for the store benchmark: the {@link MidClock} reading, made strictly
 * increasing across threads (so a key's appends never reuse a mid). Thread-safe.
 */
final class MidSequence {
    private final MidClock clock = MidClock.system();
    private final AtomicLong last = new AtomicLong();

    long next() {
        long now = clock.now();
        return last.updateAndGet(prev -> Math.max(prev + 1, now));
    }
}
