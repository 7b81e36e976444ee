package io.pushbase.comet.ack;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;

/**
 * The comet's acknowledgement metrics ({@code comet.acks.*}, docs/OPERATIONS.md), every one
 * registered at construction. Thread-safe (Dropwizard instruments are).
 *
 * <ul>
 *   <li>{@code received}: acks taken into the batcher; {@code coalesced}: of those, merged into an
 *       ack of the same (key, device) still waiting (only the largest mid is sent);
 *   <li>{@code rejected.param|key|device|flood|queueFull}: acks refused at the comet (a malformed
 *       command, another key than the connection's, a device id that breaks the rule, connections
 *       closed for acking faster than allowed, the batcher full);
 *   <li>{@code stored}, {@code notIssued}, {@code tooManyDevices}, {@code invalid}: the message
 *       nodes' answers per sent ack; {@code failed}: sent acks whose call failed (no message node
 *       answered), dropped;
 *   <li>{@code batchSize}: acks per {@code AckMany} call.
 * </ul>
 */
public final class AckMetrics {
    public static final String PREFIX = "comet.acks";

    final Meter received;
    final Meter coalesced;
    final Counter rejectedParam;
    final Counter rejectedKey;
    final Counter rejectedDevice;
    final Counter rejectedFlood;
    final Counter rejectedQueueFull;
    final Meter stored;
    final Meter notIssued;
    final Meter tooManyDevices;
    final Meter invalid;
    final Meter failed;
    final Histogram batchSize;

    public AckMetrics(MetricRegistry registry) {
        received = registry.meter(PREFIX + ".received");
        coalesced = registry.meter(PREFIX + ".coalesced");
        rejectedParam = registry.counter(PREFIX + ".rejected.param");
        rejectedKey = registry.counter(PREFIX + ".rejected.key");
        rejectedDevice = registry.counter(PREFIX + ".rejected.device");
        rejectedFlood = registry.counter(PREFIX + ".rejected.flood");
        rejectedQueueFull = registry.counter(PREFIX + ".rejected.queueFull");
        stored = registry.meter(PREFIX + ".stored");
        notIssued = registry.meter(PREFIX + ".notIssued");
        tooManyDevices = registry.meter(PREFIX + ".tooManyDevices");
        invalid = registry.meter(PREFIX + ".invalid");
        failed = registry.meter(PREFIX + ".failed");
        batchSize = registry.histogram(PREFIX + ".batchSize");
    }

    /** {@code rejected.flood}: connections closed for acking faster than allowed. */
    public Counter rejectedFlood() {
        return rejectedFlood;
    }

    /** {@code rejected.queueFull}: acks refused because the batcher was full. */
    public Counter rejectedQueueFull() {
        return rejectedQueueFull;
    }

    /** The counter of acks refused at the comet for {@code rule}. */
    public Counter rejected(AckCommand.Rule rule) {
        return switch (rule) {
            case PARAM -> rejectedParam;
            case KEY -> rejectedKey;
            case DEVICE -> rejectedDevice;
        };
    }
}
