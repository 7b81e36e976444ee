package io.pushbase.bench;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Time-like message ids as comets make them: 100 ns units since the epoch ({@code
 * currentTimeMillis() * 10_000} plus a counter), strictly increasing across threads.
 */
final class MidClock {
    private final AtomicLong last = new AtomicLong();

    long next() {
        long now = System.currentTimeMillis() * 10_000;
        return last.updateAndGet(prev -> Math.max(prev + 1, now));
    }
}
