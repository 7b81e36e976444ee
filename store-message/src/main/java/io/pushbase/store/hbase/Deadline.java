package io.pushbase.store.hbase;

import io.pushbase.cluster.grpc.GrpcFutures;
import io.pushbase.store.StoreUnavailableException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The store's hard bound on one HBase operation: turns any HBase failure, and any answer slower
 * than the bound, into {@link StoreUnavailableException} naming the operation and key. Stateless
 * besides the bound; thread-safe.
 */
final class Deadline {
    private final long millis;

    Deadline(long millis) {
        this.millis = millis;
    }

    <T> CompletableFuture<T> bound(CompletableFuture<T> f, String op, String key) {
        return f.orTimeout(millis, TimeUnit.MILLISECONDS)
                .handle(
                        (v, err) -> {
                            if (err == null) {
                                return CompletableFuture.completedFuture(v);
                            }
                            Throwable cause = GrpcFutures.unwrap(err);
                            String why =
                                    cause instanceof TimeoutException
                                            ? "no answer within " + millis + " ms"
                                            : cause.toString();
                            return CompletableFuture.<T>failedFuture(
                                    new StoreUnavailableException(
                                            "HBase " + op + " of key '" + key + "' failed: " + why,
                                            cause));
                        })
                .thenCompose(x -> x);
    }
}
