package io.pushbase.web.comet;

import com.codahale.metrics.health.HealthCheck;
import java.util.Set;

/**
 * Healthy while at least one comet is on the ring; unhealthy when none is live, since every push is
 * then only stored (the clients get it from their next offline pull, docs/WEB.md). Reads the {@link
 * CometDirectory}'s in-memory view only. Thread-safe.
 */
public final class CometsHealthCheck extends HealthCheck {
    private final CometDirectory directory;

    public CometsHealthCheck(CometDirectory directory) {
        this.directory = directory;
    }

    @Override
    protected Result check() {
        Set<String> names = directory.weights().keySet();
        return names.isEmpty()
                ? Result.unhealthy("no comet is live: pushes are only stored")
                : Result.healthy("comets on the ring: %s", names);
    }
}
