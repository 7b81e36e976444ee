package io.pushbase.cluster.grpc;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The one place where the nodes' {@link CompletableFuture}s meet gRPC: a service answers a call
 * from a future ({@link #answer}), a client turns a future stub's call into a future ({@link
 * #toCompletableFuture}), and everyone reads a failure without its wrappers ({@link #unwrap}) or
 * turns a synchronous throw into a failed future ({@link #attempt}). Stateless.
 */
public final class GrpcFutures {
    private GrpcFutures() {}

    /**
     * Runs {@code body}, turning a synchronous throw (typically a limit check) into a failed future
     * so callers see one failure path.
     */
    public static <T> CompletableFuture<T> attempt(Supplier<CompletableFuture<T>> body) {
        try {
            return body.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * The failure a future stage saw, without the {@link CompletionException} and {@link
     * ExecutionException} wrappers that {@code CompletableFuture} and {@code Future.get} add.
     */
    public static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * Answers a unary call once {@code result} completes: {@code reply} of its value, or the status
     * {@code toStatus} maps its failure to (a description, never a stack trace). Never blocks; the
     * answer is sent on the thread that completes {@code result}.
     *
     * @param toStatus the service's one mapping from failures to statuses; it is given the failure
     *     as the future saw it, wrappers included (see {@link #unwrap})
     */
    public static <T, R> void answer(
            CompletableFuture<T> result,
            Function<T, R> reply,
            Function<Throwable, Status> toStatus,
            StreamObserver<R> out) {
        result.whenComplete(
                (value, err) -> {
                    if (err != null) {
                        out.onError(toStatus.apply(err).asRuntimeException());
                        return;
                    }
                    out.onNext(reply.apply(value));
                    out.onCompleted();
                });
    }

    /**
     * The outcome of a future stub's call as a {@link CompletableFuture}, completed on the thread
     * that completes {@code call} (gRPC's callback executor). A failed call fails it with what the
     * stub failed with: gRPC's {@code StatusRuntimeException} (a call answered with no value is
     * {@code INTERNAL}).
     */
    public static <T> CompletableFuture<T> toCompletableFuture(ListenableFuture<T> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Futures.addCallback(
                call,
                new FutureCallback<T>() {
                    @Override
                    public void onSuccess(T value) {
                        result.complete(value);
                    }

                    @Override
                    public void onFailure(Throwable t) {
                        result.completeExceptionally(t);
                    }
                },
                MoreExecutors.directExecutor());
        return result;
    }
}
