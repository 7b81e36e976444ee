package io.pushbase.store;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.pushbase.cluster.grpc.GrpcFutures;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * How the instrumented stores time a store operation: timer {@code store.<op>} (successes and
 * failures alike) and, for a failure, meter {@code store.<op>.<kind>} with kind {@code invalid}
 * ({@link InvalidArgumentException}), {@code unavailable} ({@link StoreUnavailableException}) or
 * {@code error}. Stateless; thread-safe.
 */
public final class StoreTimers {
    /** The failure kinds, in the order their meters are registered. */
    public static final List<String> FAILURE_KINDS = List.of("invalid", "unavailable", "error");

    private StoreTimers() {}

    /** Registers {@code store.<op>} and its failure meters, so they exist before first use. */
    public static void register(MetricRegistry metrics, String op) {
        metrics.timer("store." + op);
        for (String kind : FAILURE_KINDS) {
            metrics.meter("store." + op + "." + kind);
        }
    }

    /** Runs {@code call} (a throw counts as a failed future) timed and counted as {@code op}. */
    public static <T> CompletableFuture<T> timed(
            MetricRegistry metrics, String op, Supplier<CompletableFuture<T>> call) {
        Timer.Context time = metrics.timer("store." + op).time();
        return GrpcFutures.attempt(call)
                .whenComplete(
                        (v, err) -> {
                            time.stop();
                            if (err != null) {
                                metrics.meter("store." + op + "." + kind(GrpcFutures.unwrap(err)))
                                        .mark();
                            }
                        });
    }

    /** The failure kind of {@code t}. */
    public static String kind(Throwable t) {
        return t instanceof InvalidArgumentException
                ? "invalid"
                : t instanceof StoreUnavailableException ? "unavailable" : "error";
    }
}
