package io.pushbase.bench;

import io.grpc.Status;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * What went wrong in a scenario, for its report: each distinct problem message with how often it
 * happened, at most {@value #MAX_DISTINCT} distinct messages (later new ones are dropped, known
 * ones still counted). Fractions and long numbers (timings, ids) are replaced by {@code N}, so that
 * one failure seen many times counts as one problem instead of filling the list. Thread-safe:
 * answers complete on clients' threads.
 */
final class Problems {
    private static final int MAX_DISTINCT = 20;

    /** What varies between reports of one failure: fractions (timings) and long numbers. */
    private static final Pattern VARYING = Pattern.compile("\\d+\\.\\d+|\\d{6,}");

    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

    void add(String problem) {
        String kind = VARYING.matcher(problem).replaceAll("N");
        if (counts.size() < MAX_DISTINCT || counts.containsKey(kind)) {
            counts.computeIfAbsent(kind, p -> new AtomicLong()).incrementAndGet();
        }
    }

    /** The problems so far, sorted by message. */
    Map<String, Long> snapshot() {
        Map<String, Long> seen = new TreeMap<>();
        counts.forEach((message, n) -> seen.put(message, n.get()));
        return seen;
    }

    /** A failure as one short line: its gRPC status if it has one, else the exception. */
    static String describe(Throwable e) {
        Status status = Status.fromThrowable(e);
        String text =
                status.getCode() == Status.Code.UNKNOWN && status.getDescription() == null
                        ? e.toString()
                        : status.getCode() + ": " + status.getDescription();
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
    }
}
