package io.pushbase.cluster.health;

import com.codahale.metrics.health.HealthCheck;
import com.codahale.metrics.health.HealthCheckRegistry;
import io.dropwizard.lifecycle.Managed;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.pushbase.cluster.grpc.GrpcFutures;
import io.pushbase.schema.health.v1.HealthCheckResult;
import io.pushbase.schema.health.v1.HealthReply;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A node's Dropwizard health checks (what its admin port's {@code /healthcheck} runs) as the gRPC
 * {@code Health} call answers them (health.proto): comets and message nodes serve it so a web
 * node's console shows their checks without reaching their admin ports.
 *
 * <p><b>Cached and shared.</b> Checks may do real I/O (a message node's {@code hbase} check reads
 * HBase, a comet's {@code messageNodes} check calls a message node), so they never run on the
 * caller's thread (a gRPC transport or event-loop thread) but on this object's own daemon threads,
 * and at most once per window ({@link #WINDOW_MILLIS}, 1 s) whoever asks: the first call of a
 * window starts every check, later calls share those runs and, once they finished, their results. A
 * check still running from an earlier window is not started again (at most one run of each check at
 * any time, so a hung check holds one thread, not one per call).
 *
 * <p><b>Deadline.</b> A call waits for the checks at most its wait ({@link #answer}: shortly before
 * the gRPC caller's deadline; {@link #DEADLINE_MILLIS}, 10 s, without one) and then answers with
 * what there is: a check still running is reported with its previous result (marked as such) while
 * it has run less than {@link #DEADLINE_MILLIS}; with no previous result, or once it has run
 * longer, it is reported failing ("no result ..."). So a slow check (HBase not answering) shows its
 * last reason instead of making the whole call miss its deadline.
 *
 * <p>Thread-safe. Owns its threads: {@link #stop()} ends them (a check reports "not run" after).
 */
public final class NodeHealth implements Managed {
    /** At most one run of the checks per this many milliseconds. */
    public static final long WINDOW_MILLIS = 1_000;

    /** A check running longer than this reports failing; also the longest a call waits. */
    public static final long DEADLINE_MILLIS = 10_000;

    /** A call answers this long before its gRPC deadline (or a fifth of the time left, if less). */
    static final long MARGIN_MILLIS = 200;

    private final HealthCheckRegistry registry;
    private final long windowNanos;
    private final long deadlineMillis;
    private final ExecutorService threads;

    /** By name; guarded by {@code this}. */
    private final Map<String, Check> checks = new TreeMap<>();

    private boolean ran;
    private long lastRunNanos;

    /** One check's run in flight and last finished result; guarded by the outer object. */
    private static final class Check {
        boolean running;
        long startedNanos;
        CompletableFuture<Void> settled = CompletableFuture.completedFuture(null);
        HealthCheck.Result last;
        long lastNanos;
    }

    public NodeHealth(HealthCheckRegistry registry) {
        this(registry, WINDOW_MILLIS, DEADLINE_MILLIS);
    }

    /**
     * @param windowMillis at most one run of the checks per this many milliseconds
     * @param deadlineMillis a check running longer reports failing; the longest a call waits
     */
    public NodeHealth(HealthCheckRegistry registry, long windowMillis, long deadlineMillis) {
        this.registry = registry;
        this.windowNanos = TimeUnit.MILLISECONDS.toNanos(windowMillis);
        this.deadlineMillis = deadlineMillis;
        this.threads =
                Executors.newCachedThreadPool(
                        r -> {
                            Thread t = new Thread(r, "health-check");
                            t.setDaemon(true);
                            return t;
                        });
    }

    @Override
    public void start() {}

    @Override
    public void stop() {
        threads.shutdownNow();
    }

    /**
     * Answers a gRPC {@code Health} call: {@link #report} with a wait that ends {@link
     * #MARGIN_MILLIS} before the call's deadline (at most {@link #DEADLINE_MILLIS}). Never blocks
     * the calling thread; the answer is sent from a check's thread or the JDK's delay thread.
     */
    public void answer(StreamObserver<HealthReply> out) {
        long wait = deadlineMillis;
        Deadline deadline = Context.current().getDeadline();
        if (deadline != null) {
            long left = deadline.timeRemaining(TimeUnit.MILLISECONDS);
            wait = Math.max(0, Math.min(wait, left - Math.min(MARGIN_MILLIS, left / 5)));
        }
        GrpcFutures.answer(
                report(wait),
                reply -> reply,
                failure ->
                        Status.INTERNAL.withDescription(
                                "health checks failed: " + GrpcFutures.unwrap(failure)),
                out);
    }

    /**
     * Every registered check's result, sorted by name, once the runs of this window have finished
     * or after at most {@code waitMillis} (see the class comment for what a check still running
     * then reports). Starts the checks if the last run began a window or more ago.
     */
    public CompletableFuture<HealthReply> report(long waitMillis) {
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        long waitNanos = TimeUnit.MILLISECONDS.toNanos(Math.min(waitMillis, deadlineMillis));
        synchronized (this) {
            long now = System.nanoTime();
            SortedSet<String> names = registry.getNames();
            checks.keySet().retainAll(names);
            if (!ran || now - lastRunNanos >= windowNanos) {
                ran = true;
                lastRunNanos = now;
                for (String name : names) {
                    start(name, checks.computeIfAbsent(name, n -> new Check()), now);
                }
            }
            long deadlineNanos = TimeUnit.MILLISECONDS.toNanos(deadlineMillis);
            long longest = 0;
            for (Check c : checks.values()) {
                long left = deadlineNanos - (now - c.startedNanos);
                if (c.running && left > 0) {
                    pending.add(c.settled);
                    longest = Math.max(longest, left);
                }
            }
            waitNanos = Math.min(waitNanos, longest);
        }
        if (pending.isEmpty()) {
            return CompletableFuture.completedFuture(reply());
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
                .orTimeout(waitNanos, TimeUnit.NANOSECONDS)
                .handle((done, timedOut) -> reply());
    }

    /** Starts a run of the check unless one is still in flight. Holds the lock. */
    private void start(String name, Check c, long now) {
        if (c.running) {
            return;
        }
        c.running = true;
        c.startedNanos = now;
        CompletableFuture<HealthCheck.Result> run;
        try {
            run = CompletableFuture.supplyAsync(() -> registry.runHealthCheck(name), threads);
        } catch (RejectedExecutionException e) {
            run =
                    CompletableFuture.completedFuture(
                            HealthCheck.Result.unhealthy("not run: the node is stopping"));
        }
        c.settled =
                run.handle(
                        (result, failure) -> {
                            finished(
                                    c,
                                    result != null
                                            ? result
                                            : HealthCheck.Result.unhealthy(
                                                    GrpcFutures.unwrap(failure)));
                            return null;
                        });
    }

    private synchronized void finished(Check c, HealthCheck.Result result) {
        c.running = false;
        c.last = result;
        c.lastNanos = System.nanoTime();
    }

    private synchronized HealthReply reply() {
        long now = System.nanoTime();
        HealthReply.Builder reply = HealthReply.newBuilder();
        for (Map.Entry<String, Check> entry : checks.entrySet()) {
            Check c = entry.getValue();
            HealthCheckResult.Builder check =
                    reply.addChecksBuilder().setName(entry.getKey()).setHealthy(false);
            long runningMillis = TimeUnit.NANOSECONDS.toMillis(now - c.startedNanos);
            if (!c.running) {
                check.setHealthy(c.last.isHealthy()).setMessage(text(c.last));
            } else if (runningMillis < deadlineMillis && c.last != null) {
                check.setHealthy(c.last.isHealthy())
                        .setMessage(
                                text(c.last)
                                        + " (result of "
                                        + TimeUnit.NANOSECONDS.toMillis(now - c.lastNanos)
                                        + " ms ago; running again for "
                                        + runningMillis
                                        + " ms)");
            } else if (runningMillis < deadlineMillis) {
                check.setMessage("no result yet: running for " + runningMillis + " ms");
            } else {
                check.setMessage(
                        "no result within "
                                + deadlineMillis
                                + " ms: running for "
                                + runningMillis
                                + " ms"
                                + (c.last == null
                                        ? ""
                                        : "; its last result, "
                                                + TimeUnit.NANOSECONDS.toMillis(now - c.lastNanos)
                                                + " ms ago: "
                                                + (c.last.isHealthy() ? "healthy" : "failing")
                                                + ", "
                                                + text(c.last)));
            }
        }
        return reply.build();
    }

    /** A result's message, or the error it carries (with its class) when that says more. */
    static String text(HealthCheck.Result result) {
        String message = result.getMessage();
        Throwable error = result.getError();
        if (error == null) {
            return message == null ? "" : message;
        }
        if (message == null || message.isEmpty() || message.equals(error.getMessage())) {
            return error.toString();
        }
        return message + ": " + error;
    }
}
