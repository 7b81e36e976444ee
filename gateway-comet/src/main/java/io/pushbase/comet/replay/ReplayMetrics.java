package io.pushbase.comet.replay;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The comet's replay metrics, one set for both transports:
 *
 * <ul>
 *   <li>gauges {@code comet.replay.active} (replays running: fetching, waiting for a slot or for
 *       their client to read), {@code comet.replay.fetching} (slots taken: fetches in flight at the
 *       message nodes) and {@code comet.replay.waiting} (replays waiting for a slot);
 *   <li>meters {@code comet.replay.started}, {@code comet.replay.completed} (switched to live
 *       delivery), {@code comet.replay.failures} (a fetch failed: the connection was closed),
 *       {@code comet.replay.messages} (stored messages written to resuming clients).
 * </ul>
 *
 * A replay that ends because its connection closed (the client left, heartbeat timeout, slow
 * consumer) is neither completed nor failed. Thread-safe.
 */
final class ReplayMetrics {
    final Meter started;
    final Meter completed;
    final Meter failures;
    final Meter messages;
    final AtomicInteger active = new AtomicInteger();

    ReplayMetrics(MetricRegistry registry, ReplaySlots slots) {
        started = registry.meter("comet.replay.started");
        completed = registry.meter("comet.replay.completed");
        failures = registry.meter("comet.replay.failures");
        messages = registry.meter("comet.replay.messages");
        registry.gauge("comet.replay.active", () -> (Gauge<Integer>) active::get);
        registry.gauge("comet.replay.fetching", () -> (Gauge<Integer>) slots::taken);
        registry.gauge("comet.replay.waiting", () -> (Gauge<Integer>) slots::waiting);
    }
}
