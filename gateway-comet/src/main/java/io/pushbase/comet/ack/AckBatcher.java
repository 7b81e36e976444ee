package io.pushbase.comet.ack;

import io.dropwizard.lifecycle.Managed;
import io.pushbase.schema.message.v1.AckEntry;
import io.pushbase.schema.message.v1.AckManyReply;
import io.pushbase.schema.message.v1.AckManyRequest;
import io.pushbase.schema.message.v1.AckOutcome;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The comet's acknowledgements on their way to the message nodes (docs/PROTOCOL.md
 * "Acknowledgements"): a bounded map of waiting acks, one per (key, device) — an ack of a pair that
 * is already waiting only raises its mid (coalescing: only the largest mid matters, a cursor never
 * moves backwards) — sent every {@code flushInterval}, or as soon as {@code maxBatch} pairs wait,
 * as {@code AckMany} calls of at most {@code maxBatch} acks, at most {@code maxInFlight} at once.
 *
 * <p>Failure semantics: {@link #offer} refuses (returns false) when {@code maxPending} pairs wait
 * and the ack is of a new pair: the caller answers the client. A message node's refusal of an ack
 * (never issued, too many devices, invalid) is passed to the ack's {@code onRefused} (the last
 * offer's, for a coalesced pair): the connection that sent it is told. A call that fails (no
 * message node answered within the client's bound) or an ack answered {@code UNAVAILABLE} is
 * dropped and counted ({@code comet.acks.failed}), with a log line: the device's next ack carries a
 * larger or equal mid and sets the cursor then. Every outcome is counted in {@link AckMetrics}.
 *
 * <p>Threading: {@link #offer} is thread-safe and never blocks (event loops call it); sending runs
 * on one timer thread of its own, answers on the message client's threads. Lifecycle: {@link
 * #start()} starts the timer; {@link #stop()} sends what waits (waiting up to 5 s for the answers)
 * and stops it; offers after that are refused.
 */
public final class AckBatcher implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(AckBatcher.class);
    private static final long STOP_WAIT_MILLIS = 5_000;

    /** Where batches go: the message nodes' {@code AckMany} (the message-node client). */
    @FunctionalInterface
    public interface AckSink {
        CompletableFuture<AckManyReply> ackMany(AckManyRequest request);
    }

    private record Pair(String key, String device) {}

    private static final class Waiting {
        long mid;
        Consumer<String> onRefused;

        Waiting(long mid, Consumer<String> onRefused) {
            this.mid = mid;
            this.onRefused = onRefused;
        }
    }

    private record Sent(Pair pair, long mid, Consumer<String> onRefused) {}

    private final AckSink sink;
    private final int maxPending;
    private final int maxBatch;
    private final long flushIntervalMillis;
    private final int maxInFlight;
    private final Semaphore inFlight;
    private final AckMetrics metrics;
    private final LinkedHashMap<Pair, Waiting> waiting = new LinkedHashMap<>();
    private final ScheduledExecutorService timer;
    private boolean flushQueued;
    private volatile boolean stopped;

    /**
     * @param maxPending most (key, device) pairs waiting to be sent
     * @param maxBatch most acks in one {@code AckMany} call
     * @param flushIntervalMillis longest an ack waits before it is sent (when calls are free)
     * @param maxInFlight most {@code AckMany} calls at once
     */
    public AckBatcher(
            AckSink sink,
            int maxPending,
            int maxBatch,
            long flushIntervalMillis,
            int maxInFlight,
            AckMetrics metrics) {
        if (maxPending < 1 || maxBatch < 1 || flushIntervalMillis < 1 || maxInFlight < 1) {
            throw new IllegalArgumentException("ack batcher bounds must be positive");
        }
        this.sink = sink;
        this.maxPending = maxPending;
        this.maxBatch = maxBatch;
        this.flushIntervalMillis = flushIntervalMillis;
        this.maxInFlight = maxInFlight;
        this.inFlight = new Semaphore(maxInFlight);
        this.metrics = metrics;
        this.timer =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "comet-acks");
                            t.setDaemon(true);
                            return t;
                        });
    }

    @Override
    public void start() {
        timer.scheduleWithFixedDelay(
                this::flush, flushIntervalMillis, flushIntervalMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * Takes an ack (checked already: the connection's key, a valid device and mid).
     *
     * @param onRefused told the problem when a message node refuses the ack (from another thread)
     * @return false when the batcher is full (or stopped): the ack was not taken
     */
    public boolean offer(String key, String device, long mid, Consumer<String> onRefused) {
        boolean flushNow;
        synchronized (this) {
            if (stopped) {
                return false;
            }
            Pair pair = new Pair(key, device);
            Waiting w = waiting.get(pair);
            if (w != null) {
                if (mid >= w.mid) {
                    w.mid = mid;
                    w.onRefused = onRefused;
                }
                metrics.coalesced.mark();
            } else if (waiting.size() >= maxPending) {
                return false;
            } else {
                waiting.put(pair, new Waiting(mid, onRefused));
            }
            metrics.received.mark();
            flushNow = waiting.size() >= maxBatch && !flushQueued;
            if (flushNow) {
                flushQueued = true;
            }
        }
        if (flushNow) {
            execute(this::flush);
        }
        return true;
    }

    /** Pairs waiting to be sent now. */
    public synchronized int pending() {
        return waiting.size();
    }

    private void execute(Runnable task) {
        try {
            timer.execute(task);
        } catch (RejectedExecutionException e) {
            // Stopping: stop() sends what waits.
        }
    }

    /**
     * Sends waiting acks now, on the calling thread, while calls are free (the timer calls it every
     * flush interval; tests call it to send without waiting).
     */
    public void flush() {
        synchronized (this) {
            flushQueued = false;
        }
        while (inFlight.tryAcquire()) {
            List<Sent> batch = drain();
            if (batch.isEmpty()) {
                inFlight.release();
                return;
            }
            send(batch).whenComplete((v, e) -> afterCall());
        }
    }

    private void afterCall() {
        inFlight.release();
        boolean more;
        synchronized (this) {
            more = waiting.size() >= maxBatch && !flushQueued && !stopped;
            if (more) {
                flushQueued = true;
            }
        }
        if (more) {
            execute(this::flush);
        }
    }

    private synchronized List<Sent> drain() {
        List<Sent> batch = new ArrayList<>(Math.min(maxBatch, waiting.size()));
        Iterator<Map.Entry<Pair, Waiting>> it = waiting.entrySet().iterator();
        while (it.hasNext() && batch.size() < maxBatch) {
            Map.Entry<Pair, Waiting> e = it.next();
            batch.add(new Sent(e.getKey(), e.getValue().mid, e.getValue().onRefused));
            it.remove();
        }
        return batch;
    }

    private CompletableFuture<Void> send(List<Sent> batch) {
        AckManyRequest.Builder request = AckManyRequest.newBuilder();
        for (Sent s : batch) {
            request.addEntries(
                    AckEntry.newBuilder()
                            .setKey(s.pair().key())
                            .setDevice(s.pair().device())
                            .setMid(s.mid()));
        }
        metrics.batchSize.update(batch.size());
        CompletableFuture<AckManyReply> call;
        try {
            call = sink.ackMany(request.build());
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        return call.handle(
                (reply, failure) -> {
                    if (failure != null || reply.getOutcomesCount() != batch.size()) {
                        metrics.failed.mark(batch.size());
                        LOG.warn(
                                "{} acks dropped: AckMany failed: {}",
                                batch.size(),
                                failure != null
                                        ? failure.toString()
                                        : reply.getOutcomesCount() + " outcomes");
                        return null;
                    }
                    for (int i = 0; i < batch.size(); i++) {
                        settle(batch.get(i), reply.getOutcomes(i));
                    }
                    return null;
                });
    }

    private void settle(Sent sent, AckOutcome outcome) {
        switch (outcome.getStatus()) {
            case STORED -> metrics.stored.mark();
            case NOT_ISSUED -> refused(sent, outcome, metrics.notIssued);
            case TOO_MANY_DEVICES -> refused(sent, outcome, metrics.tooManyDevices);
            case INVALID_ARGUMENT -> refused(sent, outcome, metrics.invalid);
            default -> {
                metrics.failed.mark();
                LOG.warn(
                        "Ack of key '{}' device {} mid {} dropped: {}",
                        sent.pair().key(),
                        sent.pair().device(),
                        sent.mid(),
                        outcome.getDescription());
            }
        }
    }

    private static void refused(Sent sent, AckOutcome outcome, com.codahale.metrics.Meter meter) {
        meter.mark();
        sent.onRefused().accept(outcome.getDescription());
    }

    @Override
    public void stop() throws InterruptedException {
        synchronized (this) {
            stopped = true;
        }
        timer.shutdown();
        timer.awaitTermination(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        // What still waits goes out now, on this thread; the answers are awaited within the bound.
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_WAIT_MILLIS);
        List<CompletableFuture<Void>> calls = new ArrayList<>();
        for (List<Sent> batch = drain(); !batch.isEmpty(); batch = drain()) {
            calls.add(send(batch));
        }
        for (CompletableFuture<Void> call : calls) {
            long left = deadline - System.nanoTime();
            try {
                call.get(Math.max(0, left), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                // Counted as failed by send(); nothing more to do while stopping.
            }
        }
        // Calls in flight from the timer: wait for their permits within what is left.
        long left = deadline - System.nanoTime();
        if (inFlight.tryAcquire(maxInFlight, Math.max(0, left), TimeUnit.NANOSECONDS)) {
            inFlight.release(maxInFlight);
        }
    }
}
