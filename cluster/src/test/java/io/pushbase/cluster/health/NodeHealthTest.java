package io.pushbase.cluster.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.codahale.metrics.health.HealthCheck;
import com.codahale.metrics.health.HealthCheckRegistry;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import io.pushbase.schema.health.v1.HealthCheckResult;
import io.pushbase.schema.health.v1.HealthReply;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NodeHealthTest {
    private final HealthCheckRegistry registry = new HealthCheckRegistry();
    private final List<NodeHealth> started = new ArrayList<>();

    private NodeHealth health(long windowMillis, long deadlineMillis) {
        NodeHealth health = new NodeHealth(registry, windowMillis, deadlineMillis);
        started.add(health);
        return health;
    }

    @AfterEach
    void stop() {
        started.forEach(NodeHealth::stop);
    }

    /** A check that counts its runs, notes its thread, and answers what {@code result} says. */
    private static final class Counting extends HealthCheck {
        final AtomicInteger runs = new AtomicInteger();
        final AtomicReference<String> thread = new AtomicReference<>();
        volatile Result result = Result.healthy("fine");

        @Override
        protected Result check() {
            runs.incrementAndGet();
            thread.set(Thread.currentThread().getName());
            return result;
        }
    }

    /** A check that blocks until released, one permit per run. */
    private static final class Gated extends HealthCheck {
        final Semaphore release = new Semaphore(0);
        final AtomicInteger runs = new AtomicInteger();
        final CountDownLatch done = new CountDownLatch(1);

        @Override
        protected Result check() throws Exception {
            runs.incrementAndGet();
            release.acquire();
            done.countDown();
            return Result.unhealthy("HBase read failed: timed out");
        }
    }

    private static List<org.assertj.core.groups.Tuple> rows(HealthReply reply) {
        return reply.getChecksList().stream()
                .map(c -> tuple(c.getName(), c.getHealthy(), c.getMessage()))
                .toList();
    }

    @Test
    void everyCheckIsReportedByNameWithTheReasonOfAFailingOne() throws Exception {
        registry.register("zookeeper", new Counting());
        registry.register(
                "hbase",
                new HealthCheck() {
                    @Override
                    protected Result check() {
                        return Result.unhealthy("HBase read failed: %s", "region offline");
                    }
                });
        registry.register(
                "messageNodes",
                new HealthCheck() {
                    @Override
                    protected Result check() {
                        throw new IllegalStateException("no message node registered");
                    }
                });
        HealthReply reply = health(1_000, 5_000).report(5_000).get(5, TimeUnit.SECONDS);
        assertThat(rows(reply))
                .containsExactly(
                        tuple("hbase", false, "HBase read failed: region offline"),
                        tuple(
                                "messageNodes",
                                false,
                                "java.lang.IllegalStateException: no message node registered"),
                        tuple("zookeeper", true, "fine"));
    }

    @Test
    void checksRunOffTheCallersThreadAtMostOncePerWindowAndConcurrentCallersShareTheRun()
            throws Exception {
        Counting check = new Counting();
        registry.register("zookeeper", check);
        NodeHealth health = health(500, 5_000);
        var callers = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<HealthReply>> replies = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                replies.add(
                        CompletableFuture.supplyAsync(
                                        () -> {
                                            try {
                                                go.await();
                                            } catch (InterruptedException e) {
                                                throw new IllegalStateException(e);
                                            }
                                            return health.report(5_000);
                                        },
                                        callers)
                                .thenCompose(r -> r));
            }
            go.countDown();
            for (CompletableFuture<HealthReply> reply : replies) {
                assertThat(rows(reply.get(5, TimeUnit.SECONDS)))
                        .containsExactly(tuple("zookeeper", true, "fine"));
            }
            assertThat(check.runs).hasValue(1);
            assertThat(check.thread.get()).isEqualTo("health-check");

            // Within the window: the cached result, even after the check would say otherwise.
            check.result = HealthCheck.Result.unhealthy("not connected to ZooKeeper");
            assertThat(rows(health.report(5_000).get(5, TimeUnit.SECONDS)))
                    .containsExactly(tuple("zookeeper", true, "fine"));
            assertThat(check.runs).hasValue(1);

            // The next window runs it again.
            Thread.sleep(600);
            assertThat(rows(health.report(5_000).get(5, TimeUnit.SECONDS)))
                    .containsExactly(tuple("zookeeper", false, "not connected to ZooKeeper"));
            assertThat(check.runs).hasValue(2);
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void aSlowCheckDoesNotHoldTheAnswerAndShowsItsLastResultWhileRunningAgain() throws Exception {
        Gated hbase = new Gated();
        Counting zookeeper = new Counting();
        registry.register("hbase", hbase);
        registry.register("zookeeper", zookeeper);
        NodeHealth health = health(100, 5_000);

        long start = System.nanoTime();
        HealthReply first = health.report(300).get(5, TimeUnit.SECONDS);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
                .isBetween(250L, 2_000L);
        assertThat(first.getChecks(0).getName()).isEqualTo("hbase");
        assertThat(first.getChecks(0).getHealthy()).isFalse();
        assertThat(first.getChecks(0).getMessage()).startsWith("no result yet: running for ");
        assertThat(first.getChecks(1).getHealthy()).isTrue();

        // Windows pass while it runs: it is not started again, the others are.
        Thread.sleep(150);
        health.report(0).get(5, TimeUnit.SECONDS);
        long deadline = System.currentTimeMillis() + 5_000;
        while (zookeeper.runs.get() < 2) {
            assertThat(System.currentTimeMillis()).isLessThan(deadline);
            Thread.sleep(10);
        }
        assertThat(hbase.runs).hasValue(1);

        hbase.release.release();
        assertThat(hbase.done.await(5, TimeUnit.SECONDS)).isTrue();
        // Running again (the window passed): its last reason, marked as such.
        Thread.sleep(150);
        HealthCheckResult again = health.report(100).get(5, TimeUnit.SECONDS).getChecks(0);
        assertThat(hbase.runs).hasValue(2);
        assertThat(again.getHealthy()).isFalse();
        assertThat(again.getMessage())
                .startsWith("HBase read failed: timed out (result of ")
                .contains(" ms ago; running again for ");
        hbase.release.release();
    }

    @Test
    void aCheckRunningPastTheDeadlineIsFailingAndTheAnswerComesBeforeTheCallersDeadline()
            throws Exception {
        Gated hung = new Gated();
        registry.register("hbase", hung);
        NodeHealth health = health(100, 1_000);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            // A gRPC call with 500 ms left: answered about 100 ms before it, not at the deadline.
            CompletableFuture<HealthReply> answered = new CompletableFuture<>();
            StreamObserver<HealthReply> out =
                    new StreamObserver<>() {
                        @Override
                        public void onNext(HealthReply reply) {
                            answered.complete(reply);
                        }

                        @Override
                        public void onError(Throwable t) {
                            answered.completeExceptionally(t);
                        }

                        @Override
                        public void onCompleted() {}
                    };
            long start = System.nanoTime();
            Context.CancellableContext call =
                    Context.current().withDeadlineAfter(500, TimeUnit.MILLISECONDS, timer);
            try {
                call.run(() -> health.answer(out));
            } finally {
                call.cancel(null);
            }
            HealthReply reply = answered.get(5, TimeUnit.SECONDS);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(480);
            assertThat(reply.getChecks(0).getMessage()).startsWith("no result yet");

            Thread.sleep(700); // past the 1 s deadline, still hung
            HealthCheckResult late = health.report(1_000).get(5, TimeUnit.SECONDS).getChecks(0);
            assertThat(late.getHealthy()).isFalse();
            assertThat(late.getMessage()).startsWith("no result within 1000 ms: running for ");
            assertThat(hung.runs).hasValue(1);
        } finally {
            hung.release.release();
            timer.shutdownNow();
        }
    }

    @Test
    void aStoppedNodeReportsItsChecksAsNotRun() throws Exception {
        registry.register("zookeeper", new Counting());
        NodeHealth health = health(1_000, 1_000);
        health.stop();
        assertThat(rows(health.report(1_000).get(5, TimeUnit.SECONDS)))
                .containsExactly(tuple("zookeeper", false, "not run: the node is stopping"));
    }
}
