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
 *       {@code comet.replay.messages} (stored messages written to resuming clients), {@code
 *       comet.replay.truncated} (replays answered {@code +r truncated}) and {@code
 *       comet.replay.truncatedLater} (replays answered complete whose later page found messages it
 *       had not reached removed: closed, also counted in failures);
 *   <li>(Pushbase, issue 15) meters {@code comet.replay.fromCursor} (resumes from a device's
 *       cursor), {@code comet.replay.withoutCursor} (resumes from a device that had none: from 0)
 *       and {@code comet.replay.cursorFailures} (the cursor could not be read: closed, also counted
 *       in failures).
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
    final Meter truncated;
    final Meter truncatedLater;
    final Meter fromCursor;
    final Meter withoutCursor;
    final Meter cursorFailures;
    final AtomicInteger active = new AtomicInteger();

    ReplayMetrics(MetricRegistry registry, ReplaySlots slots) {
        started = registry.meter("comet.replay.started");
        completed = registry.meter("comet.replay.completed");
        failures = registry.meter("comet.replay.failures");
        messages = registry.meter("comet.replay.messages");
        truncated = registry.meter("comet.replay.truncated");
        truncatedLater = registry.meter("comet.replay.truncatedLater");
        fromCursor = registry.meter("comet.replay.fromCursor");
        withoutCursor = registry.meter("comet.replay.withoutCursor");
        cursorFailures = registry.meter("comet.replay.cursorFailures");
        registry.gauge("comet.replay.active", () -> (Gauge<Integer>) active::get);
        registry.gauge("comet.replay.fetching", () -> (Gauge<Integer>) slots::taken);
        registry.gauge("comet.replay.waiting", () -> (Gauge<Integer>) slots::waiting);
    }
}
