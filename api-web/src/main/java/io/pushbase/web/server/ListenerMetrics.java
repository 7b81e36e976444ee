package io.pushbase.web.server;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;

/**
 * The meters of one HTTP listener's bounds, under {@code prefix} ({@code web.http.<name>}): see
 * {@link GuardedHttpConnectorFactory}. Thread-safe (Dropwizard meters).
 */
final class ListenerMetrics {
    private final String prefix;
    private final Meter headerTimeouts;
    private final Meter limitReached;
    private final Meter refused;

    ListenerMetrics(MetricRegistry metrics, String prefix) {
        this.prefix = prefix;
        this.headerTimeouts = metrics.meter(prefix + ".headerTimeouts");
        this.limitReached = metrics.meter(prefix + ".limitReached");
        this.refused = metrics.meter(prefix + ".refused");
    }

    String prefix() {
        return prefix;
    }

    /** Connections closed because a request's headers missed their deadline. */
    Meter headerTimeouts() {
        return headerTimeouts;
    }

    /** Times the listener reached its connection cap and stopped accepting. */
    Meter limitReached() {
        return limitReached;
    }

    /** Connections closed as soon as accepted, being over the cap. */
    Meter refused() {
        return refused;
    }
}
