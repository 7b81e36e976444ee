package io.pushbase.cluster.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.util.concurrent.SettableFuture;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class GrpcFuturesTest {

    @Test
    void unwrapRemovesEveryCompletionAndExecutionWrapper() {
        IllegalStateException cause = new IllegalStateException("the cause");
        Throwable wrapped = new CompletionException(new ExecutionException(cause));

        assertThat(GrpcFutures.unwrap(wrapped)).isSameAs(cause);
        assertThat(GrpcFutures.unwrap(cause)).isSameAs(cause);
    }

    @Test
    void unwrapKeepsAWrapperWithoutCause() {
        CompletionException bare = new CompletionException("no cause", null);

        assertThat(GrpcFutures.unwrap(bare)).isSameAs(bare);
    }

    @Test
    void attemptTurnsASynchronousThrowIntoAFailedFuture() {
        CompletableFuture<String> result =
                GrpcFutures.attempt(
                        () -> {
                            throw new IllegalArgumentException("over the limit");
                        });

        assertThatThrownBy(result::join)
                .hasCauseInstanceOf(IllegalArgumentException.class)
                .hasRootCauseMessage("over the limit");
    }

    @Test
    void answerSendsTheReplyOfTheValueThenCompletes() {
        Recording<String> out = new Recording<>();

        GrpcFutures.answer(
                CompletableFuture.completedFuture(41),
                v -> "answer " + (v + 1),
                failure -> Status.INTERNAL,
                out);

        assertThat(out.events).containsExactly("next answer 42", "completed");
    }

    @Test
    void answerSendsTheMappedStatusOfAFailureWithItsWrappers() {
        Recording<String> out = new Recording<>();
        CompletableFuture<Integer> result = new CompletableFuture<>();
        List<Throwable> mapped = new ArrayList<>();

        GrpcFutures.answer(
                result.thenApply(v -> v),
                v -> "never",
                failure -> {
                    mapped.add(failure);
                    return Status.UNAVAILABLE.withDescription(
                            GrpcFutures.unwrap(failure).getMessage());
                },
                out);
        result.completeExceptionally(new IllegalStateException("store down"));

        assertThat(mapped).singleElement().isInstanceOf(CompletionException.class);
        assertThat(out.events).containsExactly("error UNAVAILABLE: store down");
    }

    @Test
    void aCompletedCallCompletesTheFutureWithItsValue() {
        SettableFuture<String> call = SettableFuture.create();
        CompletableFuture<String> result = GrpcFutures.toCompletableFuture(call);

        assertThat(result).isNotDone();
        call.set("reply");

        assertThat(result).isCompletedWithValue("reply");
    }

    @Test
    void aFailedCallFailsTheFutureWithTheStatusException() {
        SettableFuture<String> call = SettableFuture.create();
        CompletableFuture<String> result = GrpcFutures.toCompletableFuture(call);
        StatusRuntimeException failure =
                Status.DEADLINE_EXCEEDED.withDescription("too slow").asRuntimeException();

        call.setException(failure);

        assertThatThrownBy(result::join).isInstanceOf(CompletionException.class).hasCause(failure);
        assertThat(Status.fromThrowable(result.handle((v, e) -> e).join()).getCode())
                .isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    }

    /** Records what a call's observer was told, in order. */
    private static final class Recording<R> implements StreamObserver<R> {
        final List<String> events = new ArrayList<>();

        @Override
        public void onNext(R value) {
            events.add("next " + value);
        }

        @Override
        public void onError(Throwable t) {
            Status status = Status.fromThrowable(t);
            events.add("error " + status.getCode() + ": " + status.getDescription());
        }

        @Override
        public void onCompleted() {
            events.add("completed");
        }
    }
}
