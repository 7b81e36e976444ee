package io.pushbase.store;

import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Wraps a {@link MessageStore} with metrics: per operation a timer ({@code store.<op>}, successes
 * and failures alike) and failure meters by kind ({@code store.<op>.invalid}, {@code
 * store.<op>.unavailable}, {@code store.<op>.error}); plus {@code store.append.conflicts} (appends,
 * single or in an {@code appendMany}, refused because a larger mid was taken: a sign of two writers
 * for one key), {@code store.append.duplicates} (appends answered with the mid their claim took
 * earlier: a retried push recognised, docs/MIDS.md "Retries without duplicates"); for {@code
 * appendMany} also the histogram {@code store.appendMany.size} (entries per call) and per-entry
 * failure meters {@code store.appendMany.entries.invalid|unavailable|error}. All of them exist from
 * construction on. Thread-safe; adds no blocking.
 */
public final class InstrumentedMessageStore implements MessageStore {
    private static final List<String> OPS =
            List.of("append", "appendMany", "fetch", "last", "delete");

    private final MessageStore delegate;
    private final MetricRegistry metrics;
    private final Meter appendConflicts;
    private final Meter appendDuplicates;
    private final Histogram batchSizes;

    public InstrumentedMessageStore(MessageStore delegate, MetricRegistry metrics) {
        this.delegate = delegate;
        this.metrics = metrics;
        this.appendConflicts = metrics.meter("store.append.conflicts");
        this.appendDuplicates = metrics.meter("store.append.duplicates");
        this.batchSizes = metrics.histogram("store.appendMany.size");
        // Every timer and failure meter exists from the start (zero until used), so dashboards
        // and alerts over them never look at a series that is not there yet.
        for (String op : OPS) {
            StoreTimers.register(metrics, op);
        }
        for (String kind : StoreTimers.FAILURE_KINDS) {
            metrics.meter("store.appendMany.entries." + kind);
        }
    }

    @Override
    public CompletableFuture<AppendResult> append(AppendEntry entry) {
        return timed(
                "append",
                () ->
                        delegate.append(entry)
                                .thenApply(
                                        r -> {
                                            count(r);
                                            return r;
                                        }));
    }

    private void count(AppendResult r) {
        if (!r.appended()) {
            appendConflicts.mark();
        } else if (r.duplicate()) {
            appendDuplicates.mark();
        }
    }

    @Override
    public CompletableFuture<List<AppendOutcome>> appendMany(List<AppendEntry> entries) {
        if (entries != null) {
            batchSizes.update(entries.size());
        }
        return timed(
                "appendMany",
                () ->
                        delegate.appendMany(entries)
                                .thenApply(
                                        outcomes -> {
                                            for (AppendOutcome o : outcomes) {
                                                if (o.failure() != null) {
                                                    failureMeter("appendMany.entries", o.failure())
                                                            .mark();
                                                } else {
                                                    count(o.result());
                                                }
                                            }
                                            return outcomes;
                                        }));
    }

    @Override
    public CompletableFuture<FetchPage> fetch(
            String key, long after, int limit, boolean withFloor) {
        return timed("fetch", () -> delegate.fetch(key, after, limit, withFloor));
    }

    @Override
    public CompletableFuture<Long> last(String key) {
        return timed("last", () -> delegate.last(key));
    }

    @Override
    public CompletableFuture<Void> delete(String key) {
        return timed("delete", () -> delegate.delete(key));
    }

    private <T> CompletableFuture<T> timed(
            String op, java.util.function.Supplier<CompletableFuture<T>> call) {
        return StoreTimers.timed(metrics, op, call);
    }

    private Meter failureMeter(String op, Throwable t) {
        return metrics.meter("store." + op + "." + StoreTimers.kind(t));
    }
}
