package io.pushbase.cluster.message;

import com.codahale.metrics.Histogram;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.dropwizard.lifecycle.Managed;
import io.grpc.Status;
import io.pushbase.cluster.logging.MessageLogContext;
import io.pushbase.schema.message.v1.AppendManyReply;
import io.pushbase.schema.message.v1.AppendManyRequest;
import io.pushbase.schema.message.v1.AppendOutcome;
import io.pushbase.schema.message.v1.AppendReply;
import io.pushbase.schema.message.v1.AppendRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link MessageLog} that collects appends (of any keys) and sends them as one {@code AppendMany}
 * to a message node: an append that finds no AppendMany in flight goes at once (with whatever is
 * waiting); otherwise appends gather until every batch in flight has been answered, {@code
 * maxDelay} has passed since the first of them arrived, or {@code maxEntries} or {@value
 * #MAX_BATCH_BYTES} bytes are waiting, whichever comes first. So batching adds no latency when
 * idle, at most {@code maxDelay} under load, and batches grow with the load. It sends through
 * {@link MessageNodeClient#appendMany}, which picks the node and retries the whole call on another
 * one for {@code UNAVAILABLE}, {@code DEADLINE_EXCEEDED} and {@code CANCELLED}. Each append's
 * future completes with its own entry's answer, exactly what a single {@code Append} would have
 * answered: appended, or refused with the key's head.
 *
 * <p>Semantics are those of single appends (docs/MIDS.md): the message node applies every entry as
 * its own compare-and-set on its key's head, so batching changes neither the ordering nor the
 * durability guarantee (a future completes only after its entry's message is durable). Entries of
 * one key in one batch are applied in the order they were appended here. Retries stay idempotent:
 * an entry keeps its claim wherever it is resent.
 *
 * <p>Failure: an entry the node answers {@code INVALID_ARGUMENT} fails with that status (as {@link
 * io.grpc.StatusRuntimeException}); an entry answered {@code UNAVAILABLE} (the node's HBase failed
 * for it) goes into a later batch, normally to another node, until the client's total bound from
 * the append's arrival is spent, then fails with an {@code UNAVAILABLE} {@link
 * io.grpc.StatusRuntimeException}; when the whole call fails, every entry fails with the client's
 * failure ({@link MessageNodesUnavailableException} when no node answered). When {@code maxQueued}
 * appends are already in the batcher (waiting or in flight), the next one fails at once with {@link
 * AppendQueueFullException} (meter {@code appendBatcher.queueFull}). After {@link #stop()} appends
 * fail with {@link IllegalStateException}.
 *
 * <p>Threading: thread-safe and non-blocking for callers (a short lock guards the open batch). A
 * batch is sent by the caller that filled it (or found nothing in flight), by the callback that
 * answered the last batch in flight, or by the batcher's single timer thread; futures complete on
 * gRPC callback threads, so continuations must not block.
 *
 * <p>Ownership: borrows the sender (normally a started {@link MessageNodeClient}: manage the
 * batcher after the client so it stops first); owns its timer thread. {@link #stop()} sends what is
 * waiting at once and waits up to {@code stopTimeoutMillis} for the batches in flight.
 *
 * <p>Metrics: histogram {@code appendBatcher.batchSize} (entries per AppendMany), timer {@code
 * appendBatcher.flush} (AppendMany latency, retries included), meters {@code
 * appendBatcher.queueFull} and {@code appendBatcher.entryRetries} (entries resent after a per-entry
 * UNAVAILABLE).
 */
public final class AppendBatcher implements MessageLog, Managed {
    private static final Logger LOG = LoggerFactory.getLogger(AppendBatcher.class);

    /** A batch is sent once this many request bytes wait: far below any node's inbound limit. */
    public static final int MAX_BATCH_BYTES = 1024 * 1024;

    private final Function<AppendManyRequest, CompletableFuture<AppendManyReply>> sender;
    private final int maxEntries;
    private final long maxDelayNanos;
    private final int maxQueued;
    private final long retryBoundNanos;
    private final long stopTimeoutMillis;
    private final ScheduledExecutorService timer;
    private final AtomicInteger inBatcher = new AtomicInteger();
    private final Histogram batchSizes;
    private final Timer flushes;
    private final Meter queueFull;
    private final Meter entryRetries;

    private final Object lock = new Object();
    // Guarded by lock:
    private List<Queued> open = new ArrayList<>();
    private int openBytes;
    private long openGeneration;
    private int batchesInFlight;
    private boolean stopped;

    /** One append waiting for its answer. */
    private record Queued(
            AppendRequest request, CompletableFuture<AppendReply> answer, long arrivedNanos) {}

    /**
     * @param sender sends one AppendMany (normally {@code client::appendMany})
     * @param maxEntries most entries per AppendMany (1 = no batching, but still one entry per call)
     * @param maxDelayMillis longest an append waits for others while a batch is in flight (0 = send
     *     what has gathered as soon as the timer thread runs)
     * @param maxQueued most appends in the batcher at once, waiting or in flight
     * @param retryBoundMillis how long after its arrival an entry answered UNAVAILABLE is still
     *     resent (normally the client's total timeout)
     * @param stopTimeoutMillis how long {@link #stop()} waits for batches in flight
     */
    public AppendBatcher(
            Function<AppendManyRequest, CompletableFuture<AppendManyReply>> sender,
            int maxEntries,
            double maxDelayMillis,
            int maxQueued,
            long retryBoundMillis,
            long stopTimeoutMillis,
            MetricRegistry metrics) {
        if (maxEntries < 1 || maxDelayMillis < 0 || maxQueued < 1 || retryBoundMillis < 0) {
            throw new IllegalArgumentException(
                    "need maxEntries >= 1, maxDelay >= 0, maxQueued >= 1, retry bound >= 0");
        }
        this.sender = sender;
        this.maxEntries = maxEntries;
        this.maxDelayNanos = (long) (maxDelayMillis * 1_000_000);
        this.maxQueued = maxQueued;
        this.retryBoundNanos = TimeUnit.MILLISECONDS.toNanos(retryBoundMillis);
        this.stopTimeoutMillis = stopTimeoutMillis;
        this.batchSizes = metrics.histogram("appendBatcher.batchSize");
        this.flushes = metrics.timer("appendBatcher.flush");
        this.queueFull = metrics.meter("appendBatcher.queueFull");
        this.entryRetries = metrics.meter("appendBatcher.entryRetries");
        this.timer =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "append-batcher");
                            t.setDaemon(true);
                            return t;
                        });
    }

    @Override
    public void start() {
        // Nothing to start: the timer thread starts on first use.
    }

    @Override
    public CompletableFuture<AppendReply> append(AppendRequest request) {
        if (inBatcher.incrementAndGet() > maxQueued) {
            inBatcher.decrementAndGet();
            queueFull.mark();
            return CompletableFuture.failedFuture(
                    new AppendQueueFullException(
                            maxQueued + " appends already waiting for message nodes"));
        }
        Queued q = new Queued(request, new CompletableFuture<>(), System.nanoTime());
        q.answer.whenComplete((r, e) -> inBatcher.decrementAndGet());
        enqueue(q);
        return q.answer;
    }

    /** Number of appends in the batcher now, waiting or in flight. */
    public int queued() {
        return inBatcher.get();
    }

    private void enqueue(Queued q) {
        List<Queued> full = null;
        long armGeneration = -1;
        synchronized (lock) {
            if (stopped) {
                q.answer.completeExceptionally(
                        new IllegalStateException("append batcher is stopped; append abandoned"));
                return;
            }
            open.add(q);
            openBytes += q.request.getSerializedSize();
            if (open.size() >= maxEntries || openBytes >= MAX_BATCH_BYTES || batchesInFlight == 0) {
                // Full, or nothing in flight to wait for: send now (no added latency when idle).
                full = takeOpen();
            } else if (open.size() == 1) {
                armGeneration = openGeneration;
            }
        }
        if (full != null) {
            send(full);
        } else if (armGeneration >= 0) {
            long generation = armGeneration;
            try {
                timer.schedule(() -> flushIf(generation), maxDelayNanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                flushIf(generation); // stopping: send at once
            }
        }
    }

    /** Takes the open batch, which the caller then sends; the caller holds the lock. */
    private List<Queued> takeOpen() {
        batchesInFlight++;
        List<Queued> batch = open;
        open = new ArrayList<>();
        openBytes = 0;
        openGeneration++;
        return batch;
    }

    /** The timer's flush: sends the open batch if it is still the one the timer was armed for. */
    private void flushIf(long generation) {
        List<Queued> batch = null;
        synchronized (lock) {
            if (generation == openGeneration && !open.isEmpty()) {
                batch = takeOpen();
            }
        }
        if (batch != null) {
            send(batch);
        }
    }

    private void send(List<Queued> batch) {
        AppendManyRequest.Builder request = AppendManyRequest.newBuilder();
        for (Queued q : batch) {
            request.addEntries(q.request);
        }
        batchSizes.update(batch.size());
        Timer.Context time = flushes.time();
        CompletableFuture<AppendManyReply> reply;
        try {
            reply = sender.apply(request.build());
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        reply.whenComplete(
                (r, err) -> {
                    time.stop();
                    batchDone();
                    answer(batch, r, err);
                });
    }

    /**
     * One batch answered: when none is left in flight, what has gathered meanwhile goes at once
     * instead of waiting for its timer, so batches follow each other back to back under load.
     */
    private void batchDone() {
        List<Queued> next = null;
        synchronized (lock) {
            batchesInFlight--;
            if (batchesInFlight == 0 && !open.isEmpty() && !stopped) {
                next = takeOpen();
            }
        }
        if (next != null) {
            send(next);
        }
    }

    private void answer(List<Queued> batch, AppendManyReply reply, Throwable err) {
        if (err == null && reply.getOutcomesCount() != batch.size()) {
            err =
                    new IllegalStateException(
                            "AppendMany answered "
                                    + reply.getOutcomesCount()
                                    + " outcomes for "
                                    + batch.size()
                                    + " entries");
        }
        if (err != null) {
            for (Queued q : batch) {
                q.answer.completeExceptionally(err);
            }
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            Queued q = batch.get(i);
            AppendOutcome o = reply.getOutcomes(i);
            switch (o.getStatus()) {
                case APPENDED, REFUSED ->
                        q.answer.complete(
                                AppendReply.newBuilder()
                                        .setAppended(o.getStatus() == AppendOutcome.Status.APPENDED)
                                        .setHead(o.getHead())
                                        .setClaimedMid(o.getClaimedMid())
                                        .setDuplicate(o.getDuplicate())
                                        .build());
                case INVALID_ARGUMENT ->
                        q.answer.completeExceptionally(
                                Status.INVALID_ARGUMENT
                                        .withDescription(o.getDescription())
                                        .asRuntimeException());
                default -> retryOrFail(q, o);
            }
        }
    }

    /** An entry the node could not settle (UNAVAILABLE): resend it within its bound. */
    private void retryOrFail(Queued q, AppendOutcome o) {
        long elapsed = System.nanoTime() - q.arrivedNanos;
        if (elapsed < retryBoundNanos) {
            entryRetries.mark();
            try (MessageLogContext ignored =
                    MessageLogContext.of(q.request.getKey(), q.request.getMid())) {
                LOG.debug("append of key '{}' unavailable, resending: {}", q.request.getKey(), o);
            }
            enqueue(q);
            return;
        }
        q.answer.completeExceptionally(
                Status.UNAVAILABLE
                        .withDescription(
                                "append: no message node stored it within "
                                        + TimeUnit.NANOSECONDS.toMillis(elapsed)
                                        + " ms; last: "
                                        + o.getDescription())
                        .asRuntimeException());
    }

    @Override
    public void stop() throws InterruptedException {
        List<Queued> last;
        synchronized (lock) {
            if (stopped) {
                return;
            }
            stopped = true;
            last = open.isEmpty() ? null : takeOpen();
        }
        timer.shutdownNow();
        if (last != null) {
            send(last);
        }
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(stopTimeoutMillis);
        while (inBatcher.get() > 0 && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        if (inBatcher.get() > 0) {
            LOG.warn(
                    "Append batcher stopped with {} appends still unanswered after {} ms",
                    inBatcher.get(),
                    stopTimeoutMillis);
        }
    }
}
