package io.pushbase.cluster.message;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.grpc.Status;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The names and instruments of {@link MessageNodeClient}'s metrics, in one place. Thread-safe
 * (Dropwizard instruments are).
 */
final class ClientMetrics {
    static final String PREFIX = "messageClient";

    private final MetricRegistry registry;
    final Meter attempts;
    final Meter retries;
    final Meter exhausted;

    /** Per operation and per status code, so a call costs no registry lookup. */
    private final Map<String, Timer> calls = new ConcurrentHashMap<>();

    private final Map<Status.Code, Meter> failures = new ConcurrentHashMap<>();

    ClientMetrics(MetricRegistry registry) {
        this.registry = registry;
        this.attempts = registry.meter(PREFIX + ".attempts");
        this.retries = registry.meter(PREFIX + ".retries");
        this.exhausted = registry.meter(PREFIX + ".exhausted");
        // Every failure code's meter exists from the start (zero until it happens), so dashboards
        // and alerts over them never look at a series that is not there yet.
        for (Status.Code code : Status.Code.values()) {
            if (code != Status.Code.OK) {
                failures(code);
            }
        }
    }

    /** {@code messageClient.liveNodes}: message nodes the client sends to now. */
    void liveNodes(Gauge<Integer> count) {
        registry.gauge(PREFIX + ".liveNodes", () -> count);
    }

    /** {@code messageClient.<op>}: whole calls, retries included, whatever the outcome. */
    Timer call(String op) {
        return calls.computeIfAbsent(op, o -> registry.timer(PREFIX + "." + o));
    }

    /** {@code messageClient.failures.<CODE>}: failed attempts by gRPC status code. */
    Meter failures(Status.Code code) {
        return failures.computeIfAbsent(code, c -> registry.meter(PREFIX + ".failures." + c));
    }

    /** {@code messageClient.node.<instance id>.calls}: attempts sent to one node. */
    Meter nodeCalls(String instanceId) {
        return registry.meter(nodeCallsName(instanceId));
    }

    static String nodeCallsName(String instanceId) {
        return PREFIX + ".node." + instanceId + ".calls";
    }
}
