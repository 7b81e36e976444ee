package io.pushbase.store.hbase;

import com.codahale.metrics.health.HealthCheck;
import io.pushbase.store.MessageStore;
import java.util.concurrent.TimeUnit;

/**
 * Healthy when the message table answers a real read: the newest mid of a probe key, through the
 * same store path client requests take. Bounded by the store's own deadline.
 */
public final class HBaseHealthCheck extends HealthCheck {
    /** A key no client uses (too long for no reason a client would have), read-only. */
    public static final String PROBE_KEY = "__pushbase_health_probe__";

    private final MessageStore store;
    private final long timeoutMillis;

    public HBaseHealthCheck(MessageStore store, long timeoutMillis) {
        this.store = store;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    protected Result check() throws Exception {
        long start = System.nanoTime();
        try {
            store.last(PROBE_KEY).get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            return Result.unhealthy("HBase read failed: " + e);
        }
        return Result.healthy(
                "read answered in %d ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }
}
