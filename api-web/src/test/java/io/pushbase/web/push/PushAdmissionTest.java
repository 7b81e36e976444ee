package io.pushbase.web.push;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import io.pushbase.web.reply.Answer;
import io.pushbase.web.reply.Ret;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PushAdmissionTest {
    private final MetricRegistry metrics = new MetricRegistry();
    private final PushAdmission admission = new PushAdmission(2, metrics);

    @Test
    void admitsUpToTheBoundAndRefusesTheNextWithoutRunningIt() {
        CompletableFuture<Answer> a = new CompletableFuture<>();
        CompletableFuture<Answer> b = new CompletableFuture<>();
        admission.admit(() -> a);
        admission.admit(() -> b);
        AtomicInteger ran = new AtomicInteger();

        Answer refused =
                admission
                        .admit(
                                () -> {
                                    ran.incrementAndGet();
                                    return CompletableFuture.completedFuture(Answer.ok());
                                })
                        .toCompletableFuture()
                        .join();

        assertThat(ran).hasValue(0);
        assertThat(refused.ret()).isEqualTo(Ret.INTERNAL);
        assertThat(refused.retryAfterSeconds()).isEqualTo(1);
        assertThat(refused.problem()).contains("api.maxPushesInFlight");
        assertThat(metrics.meter("web.push.overloaded").getCount()).isEqualTo(1);
        assertThat(metrics.getGauges().get("web.push.inFlight").getValue()).isEqualTo(2);
    }

    @Test
    void aPushLeavesTheBoundWhenItsAnswerCompletesWhateverTheOutcome() {
        CompletableFuture<Answer> ok = new CompletableFuture<>();
        CompletableFuture<Answer> failing = new CompletableFuture<>();
        CompletionStage<Answer> first = admission.admit(() -> ok);
        admission.admit(() -> failing);
        assertThat(admission.inFlight()).isEqualTo(2);

        ok.complete(Answer.ok());
        failing.completeExceptionally(new IllegalStateException("boom"));

        assertThat(first.toCompletableFuture().join().ret()).isEqualTo(Ret.OK);
        assertThat(admission.inFlight()).isZero();
        assertThat(
                        admission
                                .admit(() -> CompletableFuture.completedFuture(Answer.ok()))
                                .toCompletableFuture()
                                .join()
                                .ret())
                .isEqualTo(Ret.OK);
    }

    @Test
    void aPushThatThrowsLeavesTheBound() {
        assertThatThrownBy(
                        () ->
                                admission.admit(
                                        () -> {
                                            throw new IllegalStateException("bad");
                                        }))
                .isInstanceOf(IllegalStateException.class);
        assertThat(admission.inFlight()).isZero();
    }

    @Test
    void theBoundIsAtLeastOne() {
        assertThatThrownBy(() -> new PushAdmission(0, new MetricRegistry()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
