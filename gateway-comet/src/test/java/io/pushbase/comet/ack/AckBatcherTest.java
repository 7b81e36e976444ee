package io.pushbase.comet.ack;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.pushbase.comet.testing.Eventually;
import io.pushbase.schema.message.v1.AckManyReply;
import io.pushbase.schema.message.v1.AckManyRequest;
import io.pushbase.schema.message.v1.AckOutcome;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The ack batcher's bounds and failure handling: a full batch goes out without waiting for the
 * interval, calls in flight are bounded, a failed call is counted and dropped, stop sends what
 * waits.
 */
class AckBatcherTest {
    private final MetricRegistry registry = new MetricRegistry();
    private final AckMetrics metrics = new AckMetrics(registry);

    /** Each call, with the future the test completes to answer it. */
    private final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();

    private record Call(AckManyRequest request, CompletableFuture<AckManyReply> answer) {
        void storeAll() {
            AckManyReply.Builder reply = AckManyReply.newBuilder();
            request.getEntriesList()
                    .forEach(
                            e ->
                                    reply.addOutcomesBuilder()
                                            .setStatus(AckOutcome.Status.STORED)
                                            .setCursor(e.getMid()));
            answer.complete(reply.build());
        }
    }

    private AckBatcher batcher(int maxBatch, long flushMillis, int maxInFlight) {
        return new AckBatcher(
                request -> {
                    CompletableFuture<AckManyReply> answer = new CompletableFuture<>();
                    calls.add(new Call(request, answer));
                    return answer;
                },
                100,
                maxBatch,
                flushMillis,
                maxInFlight,
                metrics);
    }

    @Test
    void aFullBatchIsSentAtOnceWithoutWaitingForTheInterval() throws Exception {
        AckBatcher batcher = batcher(2, 60_000, 4);
        batcher.start();
        try {
            batcher.offer("k", "a", 1, p -> {});
            assertThat(calls.poll(200, TimeUnit.MILLISECONDS)).isNull();
            batcher.offer("k", "b", 2, p -> {});
            Call call = calls.poll(10, TimeUnit.SECONDS);
            assertThat(call).isNotNull();
            assertThat(call.request().getEntriesCount()).isEqualTo(2);
            call.storeAll();
            // The batcher's thread that sent the call may attach its answer handler only after the
            // test answered it, and then runs the handler itself: wait for the count, bounded.
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (registry.meter("comet.acks.stored").getCount() < 2
                    && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            assertThat(registry.meter("comet.acks.stored").getCount()).isEqualTo(2);
        } finally {
            batcher.stop();
        }
    }

    @Test
    void callsInFlightAreBoundedAndWaitingAcksKeepCoalescing() throws Exception {
        AckBatcher batcher = batcher(1, 60_000, 1);
        batcher.offer("k", "a", 1, p -> {});
        batcher.flush();
        batcher.offer("k", "b", 5, p -> {});
        batcher.offer("k", "b", 7, p -> {});
        batcher.flush();
        // With maxBatch 1 every offer also queues a flush on the batcher's thread, and that thread
        // may be the one sending a's call, after the flushes here returned: wait for the call
        // (bounded), then check that it is the only one.
        Eventually.await("the first call", Duration.ofSeconds(10), () -> !calls.isEmpty());
        assertThat(calls).hasSize(1);
        assertThat(batcher.pending()).isEqualTo(1);

        // The answer frees the call, and a full batch waits: it goes out without a flush.
        calls.poll().storeAll();

        Call second = calls.poll(10, TimeUnit.SECONDS);
        assertThat(second.request().getEntries(0).getDevice()).isEqualTo("b");
        assertThat(second.request().getEntries(0).getMid()).isEqualTo(7);
        assertThat(batcher.pending()).isZero();
    }

    @Test
    void aFailedCallIsCountedAndItsAcksDropped() {
        AckBatcher batcher = batcher(10, 60_000, 4);
        batcher.offer("k", "a", 1, p -> {});
        batcher.offer("k", "b", 2, p -> {});
        batcher.flush();

        calls.poll().answer().completeExceptionally(new IllegalStateException("no message node"));

        assertThat(registry.meter("comet.acks.failed").getCount()).isEqualTo(2);
        assertThat(batcher.pending()).isZero();
    }

    @Test
    void stopSendsWhatWaitsAndRefusesLaterOffers() throws Exception {
        AckBatcher batcher = batcher(10, 60_000, 4);
        batcher.start();
        batcher.offer("k", "a", 3, p -> {});
        Thread stopper =
                new Thread(
                        () -> {
                            try {
                                batcher.stop();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        });
        stopper.start();
        Call call = calls.poll(10, TimeUnit.SECONDS);
        assertThat(call).isNotNull();
        assertThat(call.request().getEntriesList())
                .extracting(e -> e.getKey() + "/" + e.getDevice() + "/" + e.getMid())
                .isEqualTo(List.of("k/a/3"));
        call.storeAll();
        stopper.join(10_000);
        assertThat(stopper.isAlive()).isFalse();
        assertThat(batcher.offer("k", "a", 4, p -> {})).isFalse();
    }
}
