package io.pushbase.store.cursor;

import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import io.pushbase.store.StoreTimers;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Wraps a {@link CursorStore} with metrics, as {@code InstrumentedMessageStore} does the message
 * store: timers {@code store.ackMany} and {@code store.cursors}, failure meters {@code
 * store.<op>.invalid|unavailable|error} (whole calls), the histogram {@code store.ackMany.size}
 * (acks per call) and per-ack outcome meters {@code store.acks.stored}, {@code
 * store.acks.notIssued}, {@code store.acks.tooManyDevices}, {@code store.acks.invalid}, {@code
 * store.acks.unavailable}. All exist from construction on. Thread-safe; adds no blocking.
 */
public final class InstrumentedCursorStore implements CursorStore {
    private static final List<String> OPS = List.of("ackMany", "cursors");

    private final CursorStore delegate;
    private final MetricRegistry metrics;
    private final Histogram batchSizes;
    private final Map<AckResult.Status, Meter> outcomes = new EnumMap<>(AckResult.Status.class);

    public InstrumentedCursorStore(CursorStore delegate, MetricRegistry metrics) {
        this.delegate = delegate;
        this.metrics = metrics;
        this.batchSizes = metrics.histogram("store.ackMany.size");
        for (String op : OPS) {
            StoreTimers.register(metrics, op);
        }
        for (AckResult.Status s : AckResult.Status.values()) {
            outcomes.put(s, metrics.meter("store.acks." + outcomeName(s)));
        }
    }

    /** {@code STORED} → {@code stored}, {@code NOT_ISSUED} → {@code notIssued}, and so on. */
    static String outcomeName(AckResult.Status s) {
        StringBuilder name = new StringBuilder();
        boolean upper = false;
        for (char c : s.name().toLowerCase(java.util.Locale.ROOT).toCharArray()) {
            if (c == '_') {
                upper = true;
            } else {
                name.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return name.toString();
    }

    @Override
    public CompletableFuture<List<AckResult>> ackMany(List<Ack> acks) {
        if (acks != null) {
            batchSizes.update(acks.size());
        }
        return timed(
                "ackMany",
                () ->
                        delegate.ackMany(acks)
                                .thenApply(
                                        results -> {
                                            for (AckResult r : results) {
                                                outcomes.get(r.status()).mark();
                                            }
                                            return results;
                                        }));
    }

    @Override
    public CompletableFuture<KeyCursors> cursors(String key) {
        return timed("cursors", () -> delegate.cursors(key));
    }

    private <T> CompletableFuture<T> timed(String op, Supplier<CompletableFuture<T>> call) {
        return StoreTimers.timed(metrics, op, call);
    }
}
