package io.pushbase.bench;

import com.google.common.util.concurrent.ListenableFuture;
import io.pushbase.bench.ClosedLoop.Outcome;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Open-model load: requests issued at evenly spaced intended times, {@code 1/rate} apart, whatever
 * the answers do, over at most {@code connections} connections carrying one request each (a request
 * due while every connection is busy waits, in order, for the next free one). Latency is measured
 * from the intended time, so a stall anywhere — the server, the queue here — counts in full and is
 * not hidden by waiting for answers (no coordinated omission). Runs a warm-up, then a measured
 * window: a request belongs to the window when its intended time lies in it.
 *
 * <p>Threading: {@link #run} schedules on the caller's thread; answers complete on the client's
 * thread ({@link Sender} must not block); the window marks run on a thread of their own, so reading
 * counters there does not delay a send. One instance per run.
 */
final class OpenLoop {
    /** Issues one request on {@code connection} (idle); {@code intendedNanos} on nanoTime. */
    @FunctionalInterface
    interface Sender {
        ListenableFuture<Outcome> send(int connection, long intendedNanos);
    }

    /**
     * One rate's measured window.
     *
     * @param sent requests intended in the window
     * @param ok those answered correctly
     * @param okCompletedInWindow correct answers that arrived inside the window (the achieved rate)
     * @param errors requests of the window answered wrongly, failed or timed out
     * @param otherErrors the same for requests of the warm-up
     * @param latencyMicros intended time to answer of the correct answers of the window
     * @param maxQueued most requests waiting for a free connection at once
     * @param connectionsUsed distinct connections that carried a request
     * @param drainedSeconds how long after the last intended time the last answer came
     */
    record Result(
            int rate,
            double seconds,
            long sent,
            long ok,
            long okCompletedInWindow,
            long errors,
            long otherErrors,
            Histogram latencyMicros,
            Map<String, Long> problems,
            int maxQueued,
            int connectionsUsed,
            double drainedSeconds) {

        double offeredPerSecond() {
            return sent / seconds;
        }

        double achievedPerSecond() {
            return okCompletedInWindow / seconds;
        }
    }

    /** Waiting at most this long for the last answers after the last intended time. */
    private static final long DRAIN_SECONDS = 120;

    private final int connections;
    private final Sender sender;
    private final ArrayDeque<Integer> free = new ArrayDeque<>();
    private final ArrayDeque<Long> queued = new ArrayDeque<>();
    private final Recorder recorder = new Recorder(3);
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong okInWindow = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong otherErrors = new AtomicLong();
    private final AtomicLong outstanding = new AtomicLong();
    private final Problems problems = new Problems();
    private int maxQueued;
    private int used;
    private long windowFrom;
    private long windowTo;

    private OpenLoop(int connections, Sender sender) {
        this.connections = connections;
        this.sender = sender;
    }

    /**
     * Offers {@code rate} requests per second for {@code warmup} then {@code measure}, waits for
     * the answers, and returns the measured window; tells {@code window} when it starts and ends.
     */
    static Result run(
            int rate,
            Duration warmup,
            Duration measure,
            int connections,
            Sender sender,
            ClosedLoop.Window window)
            throws InterruptedException {
        return new OpenLoop(connections, sender).run(rate, warmup, measure, window);
    }

    private Result run(int rate, Duration warmup, Duration measure, ClosedLoop.Window window)
            throws InterruptedException {
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
        windowFrom = start + warmup.toNanos();
        windowTo = windowFrom + measure.toNanos();
        Thread marks = marks(window);
        for (long n = 0; ; n++) {
            long intended = start + n * interval;
            if (intended >= windowTo) {
                break;
            }
            long wait = intended - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            if (intended >= windowFrom) {
                sent.incrementAndGet();
            }
            submit(intended);
        }
        long lastIntended = windowTo;
        long drainEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_SECONDS);
        while (outstanding.get() > 0 && System.nanoTime() < drainEnd) {
            Thread.sleep(10);
        }
        double drained = Math.max(0, System.nanoTime() - lastIntended) / 1e9;
        marks.join();
        synchronized (this) {
            return new Result(
                    rate,
                    measure.toNanos() / 1e9,
                    sent.get(),
                    ok.get(),
                    okInWindow.get(),
                    errors.get() + outstanding.get(), // never answered: counted as failed
                    otherErrors.get(),
                    recorder.getIntervalHistogram(),
                    problems.snapshot(),
                    maxQueued,
                    used,
                    drained);
        }
    }

    /** Starts the thread that tells {@code window} at its start and end. */
    private Thread marks(ClosedLoop.Window window) {
        Thread marks =
                new Thread(
                        () -> {
                            sleepUntil(windowFrom);
                            window.started();
                            sleepUntil(windowTo);
                            window.ended();
                        },
                        "open-loop-marks");
        marks.setDaemon(true);
        marks.start();
        return marks;
    }

    private static void sleepUntil(long nanoTime) {
        for (long left; (left = nanoTime - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(left);
        }
    }

    /** Sends on a free connection (opening one more if none is free), else queues. */
    private void submit(long intended) {
        outstanding.incrementAndGet();
        int connection;
        synchronized (this) {
            if (free.isEmpty() && used < connections) {
                free.push(used++);
            }
            if (free.isEmpty()) {
                queued.addLast(intended);
                maxQueued = Math.max(maxQueued, queued.size());
                return;
            }
            connection = free.pop();
        }
        send(connection, intended);
    }

    private void send(int connection, long intended) {
        Outcome.start(
                () -> sender.send(connection, intended),
                outcome -> answered(connection, intended, outcome.problem()));
    }

    private void answered(int connection, long intended, String problem) {
        long now = System.nanoTime();
        if (problem != null) {
            problems.add(problem);
        }
        if (intended >= windowFrom && intended < windowTo) {
            if (problem == null) {
                ok.incrementAndGet();
                recorder.recordValue(Math.max(1, (now - intended) / 1_000));
            } else {
                errors.incrementAndGet();
            }
        } else if (problem != null) {
            otherErrors.incrementAndGet();
        }
        if (problem == null && now >= windowFrom && now < windowTo) {
            okInWindow.incrementAndGet();
        }
        Long next;
        synchronized (this) {
            next = queued.pollFirst();
            if (next == null) {
                free.push(connection); // most recently used first: keeps few connections busy
            }
        }
        outstanding.decrementAndGet();
        if (next != null) {
            send(connection, next);
        }
    }
}
