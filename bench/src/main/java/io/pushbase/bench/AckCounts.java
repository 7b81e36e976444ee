package io.pushbase.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The acknowledgement counters of a comet and a message node at one moment, read from their
 * Dropwizard {@code /metrics} pages ({@link AdminNumbers}): the comet's {@code comet.acks.*}
 * (docs/OPERATIONS.md) and the message node's {@code store.acks.*} and {@code store.ackMany.size}.
 * A counter that could not be read is -1, and so is any difference involving it.
 *
 * <p>Immutable; {@link #read} blocks on one HTTP request per counter.
 */
record AckCounts(Map<String, Long> counts) {
    /** The comet's throughput counters, each a meter but {@code batchSize} (a histogram). */
    static final String[] COMET = {
        "comet.acks.received", "comet.acks.coalesced", "comet.acks.stored", "comet.acks.batchSize"
    };

    /** The message node's: acks stored in the cursor store, and AckMany calls (a histogram). */
    static final String[] MESSAGE = {"store.acks.stored", "store.ackMany.size"};

    /** The comet's counters that must not move in a clean run: every refusal and failure. */
    static final String[] PROBLEMS = {
        "comet.acks.notIssued",
        "comet.acks.tooManyDevices",
        "comet.acks.invalid",
        "comet.acks.failed",
        "comet.acks.rejected.param",
        "comet.acks.rejected.key",
        "comet.acks.rejected.device",
        "comet.acks.rejected.flood",
        "comet.acks.rejected.queueFull"
    };

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    static AckCounts read(int cometAdminPort, int messageAdminPort) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String name : COMET) {
            counts.put(name, count(cometAdminPort, name));
        }
        for (String name : PROBLEMS) {
            counts.put(name, count(cometAdminPort, name));
        }
        for (String name : MESSAGE) {
            counts.put(name, count(messageAdminPort, name));
        }
        return new AckCounts(counts);
    }

    /** {@code name}'s count now minus at {@code before}; -1 when either is unknown. */
    long since(AckCounts before, String name) {
        long now = counts.getOrDefault(name, -1L);
        long then = before.counts.getOrDefault(name, -1L);
        return now < 0 || then < 0 ? -1 : now - then;
    }

    /** The refusal and failure counters that moved since {@code before}, with by how much. */
    Map<String, Long> problemsSince(AckCounts before) {
        Map<String, Long> moved = new LinkedHashMap<>();
        for (String name : PROBLEMS) {
            long d = since(before, name);
            if (d != 0) {
                moved.put(name, d);
            }
        }
        return moved;
    }

    /** Dropwizard's JSON writes a meter's, counter's or histogram's {@code count} first. */
    private static long count(int port, String name) {
        Pattern number = Pattern.compile("\"" + Pattern.quote(name) + "\":\\{\"count\":(\\d+)");
        return AdminNumbers.read(port, "/metrics", number, TIMEOUT);
    }
}
