package io.pushbase.comet.push;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Runs asynchronous tasks one at a time per key, in submission order, and tasks of different keys
 * concurrently. Each key carries a small state (here: the last mid taken) that lives exactly as
 * long as the key has queued tasks, so memory follows the work in flight.
 *
 * <p>Bounded: at most {@code maxQueuedPerKey} tasks wait per key; one more is refused with {@link
 * PushRejectedException}. Thread-safe; tasks start on the thread that completed the previous task
 * of the key (or the submitter's), so they must not block.
 */
final class KeySequencer {
    /** Per-key state, guarded by the map's per-key atomicity and the task chain. */
    static final class KeyState {
        CompletableFuture<?> tail = CompletableFuture.completedFuture(null);
        int queued;

        /** Largest mid taken for the key by this comet while the key stayed busy; 0 if none. */
        long lastMid;
    }

    private final int maxQueuedPerKey;
    private final Map<String, KeyState> keys = new ConcurrentHashMap<>();

    KeySequencer(int maxQueuedPerKey) {
        this.maxQueuedPerKey = maxQueuedPerKey;
    }

    /** Queues {@code task} behind the key's earlier tasks; it receives the key's state. */
    <T> CompletableFuture<T> submit(String key, Function<KeyState, CompletableFuture<T>> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Object[] slot = new Object[2]; // [previous tail, state]; null previous = refused
        keys.compute(
                key,
                (k, state) -> {
                    KeyState s = state != null ? state : new KeyState();
                    if (s.queued < maxQueuedPerKey) {
                        s.queued++;
                        slot[0] = s.tail;
                        slot[1] = s;
                        s.tail = result;
                    }
                    return s;
                });
        if (slot[0] == null) {
            result.completeExceptionally(
                    new PushRejectedException(
                            PushRejectedException.Reason.OVERLOADED,
                            maxQueuedPerKey + " pushes already queued for key '" + key + "'"));
            return result;
        }
        // Chained outside compute(): the previous task may be done already, and then run() goes
        // at once and must be free to update the map.
        KeyState state = (KeyState) slot[1];
        ((CompletableFuture<?>) slot[0])
                .whenComplete((ignored, err) -> run(key, state, task, result));
        return result;
    }

    private <T> void run(
            String key,
            KeyState state,
            Function<KeyState, CompletableFuture<T>> task,
            CompletableFuture<T> result) {
        CompletableFuture<T> running;
        try {
            running = task.apply(state);
        } catch (RuntimeException e) {
            running = CompletableFuture.failedFuture(e);
        }
        running.whenComplete(
                (value, err) -> {
                    // Drop the key's state when this was its last queued task: before completing
                    // the result, so the next submit for the key sees a consistent map.
                    keys.compute(
                            key,
                            (k, s) -> {
                                if (s == null) {
                                    return null;
                                }
                                s.queued--;
                                return s.queued == 0 ? null : s;
                            });
                    if (err != null) {
                        result.completeExceptionally(err);
                    } else {
                        result.complete(value);
                    }
                });
    }

    /** Keys with queued or running tasks. */
    int busyKeys() {
        return keys.size();
    }
}
