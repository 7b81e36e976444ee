package io.pushbase.cluster.message;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.grpc.Status;

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

    ClientMetrics(MetricRegistry registry) {
        this.registry = registry;
        this.attempts = registry.meter(PREFIX + ".attempts");
        this.retries = registry.meter(PREFIX + ".retries");
        this.exhausted = registry.meter(PREFIX + ".exhausted");
    }

    /** {@code messageClient.<op>}: whole calls, retries included, whatever the outcome. */
    Timer call(String op) {
        return registry.timer(PREFIX + "." + op);
    }

    /** {@code messageClient.failures.<CODE>}: failed attempts by gRPC status code. */
    Meter failures(Status.Code code) {
        return registry.meter(PREFIX + ".failures." + code);
    }

    /** {@code messageClient.node.<instance id>.calls}: attempts sent to one node. */
    Meter nodeCalls(String instanceId) {
        return registry.meter(nodeCallsName(instanceId));
    }

    static String nodeCallsName(String instanceId) {
        return PREFIX + ".node." + instanceId + ".calls";
    }
}
