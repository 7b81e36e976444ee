package io.pushbase.store;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/** Small helpers for the store's future-returning methods. Stateless. */
public final class Futures {
    private Futures() {}

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

    /** The cause a {@code CompletableFuture} stage saw, without its wrappers. */
    public static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
