package io.pushbase.e2e;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * How long a test client waits before it looks its comet up and connects again, as a real client
 * should: exponential from {@value #FIRST_MILLIS} ms, doubling on each failed attempt up to {@value
 * #MAX_MILLIS} ms, each wait between half and all of the current step (jitter, so that clients that
 * lost the same comet do not come back in lockstep), and back to the first step once a subscription
 * is answered. The cap is kept low so that a scenario's longest time unsubscribed still measures
 * the cluster, not the client.
 *
 * <p>Not thread-safe: one per client thread.
 */
final class ReconnectBackoff {
    static final long FIRST_MILLIS = 100;
    static final long MAX_MILLIS = 2_000;

    private long step = FIRST_MILLIS;

    /** Sleeps before the next attempt and lengthens the following one. */
    void pause() {
        long millis = step / 2 + ThreadLocalRandom.current().nextLong(step / 2 + 1);
        step = Math.min(MAX_MILLIS, step * 2);
        try {
            TimeUnit.MILLISECONDS.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A subscription was answered: the next loss starts from the first step again. */
    void reset() {
        step = FIRST_MILLIS;
    }
}
