package io.pushbase.bench;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Closed-loop load: {@code callers} callers, each keeping exactly one request outstanding (the next
 * call starts when the previous one answered). Runs a warm-up, then a measured window; a call
 * counts in the window when it completes inside it. Latency is recorded per call in microseconds,
 * from issuing the call to its answer.
 *
 * <p>A failed call (or an answer the scenario judges wrong) is counted, its message kept for the
 * report, and the caller goes on after a short pause so a dead server does not turn the loop into a
 * busy spin.
 */
final class ClosedLoop {
    /** How long a caller waits after a failed call before its next one. */
    private static final long PAUSE_AFTER_ERROR_MILLIS = 10;

    private static final int WARMUP = 0;
    private static final int MEASURE = 1;
    private static final int STOP = 2;

    /** What one answered call did: units of work (e.g. keys stored), or what was wrong. */
    record Outcome(long units, String problem) {
        static Outcome ok(long units) {
            return new Outcome(units, null);
        }

        static Outcome invalid(String problem) {
            return new Outcome(0, problem);
        }

        /** The outcome of a finished call; a failed call is invalid, its failure described. */
        private static Outcome of(ListenableFuture<Outcome> done) {
            try {
                return Futures.getDone(done);
            } catch (ExecutionException | RuntimeException e) {
                return invalid(
                        Problems.describe(e instanceof ExecutionException ? e.getCause() : e));
            }
        }

        /**
         * Starts a call and hands its outcome to {@code answered} on the thread that completes it
         * (a failed call, or one that throws instead of answering, as an invalid outcome).
         */
        static void start(Supplier<ListenableFuture<Outcome>> call, Consumer<Outcome> answered) {
            ListenableFuture<Outcome> answer;
            try {
                answer = call.get();
            } catch (RuntimeException e) {
                answer = Futures.immediateFailedFuture(e);
            }
            ListenableFuture<Outcome> done = answer;
            done.addListener(() -> answered.accept(of(done)), MoreExecutors.directExecutor());
        }
    }

    /** Issues one call for {@code caller}; never blocks. */
    @FunctionalInterface
    interface Operation {
        ListenableFuture<Outcome> call(int caller);
    }

    /**
     * Told when the measured window starts and ends, on the thread that runs the loop, so that
     * counters read there (CPU, GC) cover exactly the window. Must not block for long: the window
     * is already running.
     */
    interface Window {
        Window NONE =
                new Window() {
                    @Override
                    public void started() {}

                    @Override
                    public void ended() {}
                };

        void started();

        void ended();
    }

    /**
     * One scenario's measured window.
     *
     * @param calls calls that answered correctly in the window
     * @param units units of work they did (equal to {@code calls} unless a call does several)
     * @param errors failed or wrong calls in the window
     * @param warmupErrors failed or wrong calls during warm-up and drain
     * @param latencyMicros latency of every call answered in the window, errors included
     * @param problems distinct error messages (at most 20) with their counts
     */
    record Result(
            String scenario,
            int callers,
            double seconds,
            long calls,
            long units,
            long errors,
            long warmupErrors,
            Histogram latencyMicros,
            Map<String, Long> problems) {

        double callsPerSecond() {
            return calls / seconds;
        }

        double unitsPerSecond() {
            return units / seconds;
        }
    }

    private final String scenario;
    private final int callers;
    private final Operation operation;
    private final Recorder recorder = new Recorder(3);
    private final AtomicLong calls = new AtomicLong();
    private final AtomicLong units = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong otherErrors = new AtomicLong();
    private final Problems problems = new Problems();
    private final CountDownLatch stopped;
    private final ScheduledExecutorService pauses;
    private volatile int phase = WARMUP;

    private ClosedLoop(String scenario, int callers, Operation operation) {
        this.scenario = scenario;
        this.callers = callers;
        this.operation = operation;
        this.stopped = new CountDownLatch(callers);
        this.pauses =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "bench-pause");
                            t.setDaemon(true);
                            return t;
                        });
    }

    /** Runs {@code operation} closed-loop and returns the measured window. */
    static Result run(
            String scenario, int callers, Duration warmup, Duration measure, Operation operation)
            throws InterruptedException {
        return run(scenario, callers, warmup, measure, operation, Window.NONE);
    }

    /** As {@link #run(String, int, Duration, Duration, Operation)}, telling {@code window}. */
    static Result run(
            String scenario,
            int callers,
            Duration warmup,
            Duration measure,
            Operation operation,
            Window window)
            throws InterruptedException {
        ClosedLoop loop = new ClosedLoop(scenario, callers, operation);
        try {
            return loop.run(warmup, measure, window);
        } finally {
            loop.pauses.shutdownNow();
        }
    }

    private Result run(Duration warmup, Duration measure, Window window)
            throws InterruptedException {
        for (int c = 0; c < callers; c++) {
            issue(c);
        }
        Thread.sleep(warmup.toMillis());
        recorder.reset();
        window.started();
        long start = System.nanoTime();
        phase = MEASURE;
        Thread.sleep(measure.toMillis());
        phase = STOP;
        double seconds = (System.nanoTime() - start) / 1e9;
        window.ended();
        // Calls outstanding at the end finish (they are bounded by their gRPC deadline).
        if (!stopped.await(2, TimeUnit.MINUTES)) {
            System.out.printf(
                    "WARNING: %s: %d callers still waiting for an answer after 2 minutes%n",
                    scenario, stopped.getCount());
        }
        return new Result(
                scenario,
                callers,
                seconds,
                calls.get(),
                units.get(),
                errors.get(),
                otherErrors.get(),
                recorder.getIntervalHistogram(),
                problems.snapshot());
    }

    private void issue(int caller) {
        if (phase == STOP) {
            stopped.countDown();
            return;
        }
        long startNanos = System.nanoTime();
        Outcome.start(
                () -> operation.call(caller), outcome -> answered(caller, startNanos, outcome));
    }

    private void answered(int caller, long startNanos, Outcome outcome) {
        long micros = (System.nanoTime() - startNanos) / 1_000;
        boolean measured = phase == MEASURE;
        String problem = outcome.problem();
        if (measured) {
            recorder.recordValue(Math.max(micros, 1));
        }
        if (problem == null) {
            if (measured) {
                calls.incrementAndGet();
                units.addAndGet(outcome.units());
            }
            issue(caller);
            return;
        }
        (measured ? errors : otherErrors).incrementAndGet();
        problems.add(problem);
        pauses.schedule(() -> issue(caller), PAUSE_AFTER_ERROR_MILLIS, TimeUnit.MILLISECONDS);
    }
}
