package io.pushbase.launcher.standalone;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongSupplier;

/**
 * How often the standalone supervisor restarts one child: exponential backoff from {@link
 * #FIRST_DELAY} (doubling per restart within the {@link #WINDOW}, at most {@link #MAX_DELAY}), and
 * at most {@link #MAX_RESTARTS} restarts within the window. A child that keeps dying faster than
 * that is in a crash loop (a full disk, a port another process took, a broken configuration):
 * restarting it forever would only hide the cause, so the supervisor gives up and stops everything.
 *
 * <p>Not thread-safe: the supervisor's one thread uses it.
 */
final class RestartBudget {
    static final Duration FIRST_DELAY = Duration.ofSeconds(1);
    static final Duration MAX_DELAY = Duration.ofSeconds(30);
    static final Duration WINDOW = Duration.ofMinutes(10);
    static final int MAX_RESTARTS = 5;

    private final LongSupplier nanoClock;
    private final Deque<Long> restarts = new ArrayDeque<>();

    RestartBudget() {
        this(System::nanoTime);
    }

    RestartBudget(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /**
     * Records one more restart and answers how long to wait before it, or null when the budget is
     * spent ({@link #MAX_RESTARTS} within the window already).
     */
    Duration next() {
        long now = nanoClock.getAsLong();
        while (!restarts.isEmpty() && now - restarts.peekFirst() > WINDOW.toNanos()) {
            restarts.removeFirst();
        }
        if (restarts.size() >= MAX_RESTARTS) {
            return null;
        }
        Duration delay = FIRST_DELAY.multipliedBy(1L << restarts.size());
        restarts.addLast(now);
        return delay.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : delay;
    }

    /** Restarts counted in the window now (including the one {@link #next} just granted). */
    int recent() {
        return restarts.size();
    }
}
