package io.pushbase.store.memory;

import io.pushbase.cluster.grpc.GrpcFutures;
import io.pushbase.store.cursor.Ack;
import io.pushbase.store.cursor.AckResult;
import io.pushbase.store.cursor.CursorLimits;
import io.pushbase.store.cursor.CursorStore;
import io.pushbase.store.cursor.DeviceCursor;
import io.pushbase.store.cursor.KeyCursors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * A {@link CursorStore} in this JVM's heap, with the HBase store's semantics (the shared contract
 * test proves it): for tests and development beside an {@link InMemoryMessageStore}, whose heads it
 * reads.
 *
 * <p>Thread-safe: a key's cursors change under that key's map lock ({@code compute}), so the device
 * bound is exact here. Memory: at most {@code maxDevicesPerKey} cursors per key; expired ones are
 * dropped when the key is next touched; the number of keys is not bounded.
 */
public final class InMemoryCursorStore implements CursorStore {
    private record Cursor(long mid, long writtenAt) {}

    private final CursorLimits limits;
    private final ToLongFunction<String> heads;
    private final LongSupplier clockMillis;
    private final Map<String, TreeMap<String, Cursor>> cursors = new ConcurrentHashMap<>();

    /**
     * @param heads the key's head, {@code -1} when none (e.g. {@link InMemoryMessageStore#head})
     * @param clockMillis wall clock in ms, replaceable so tests can move time
     */
    public InMemoryCursorStore(
            CursorLimits limits, ToLongFunction<String> heads, LongSupplier clockMillis) {
        this.limits = limits;
        this.heads = heads;
        this.clockMillis = clockMillis;
    }

    @Override
    public CompletableFuture<List<AckResult>> ackMany(List<Ack> acks) {
        return GrpcFutures.attempt(
                () -> {
                    limits.checkEntries(acks);
                    List<AckResult> results = new ArrayList<>(acks.size());
                    for (Ack ack : acks) {
                        results.add(ack(ack));
                    }
                    return CompletableFuture.completedFuture(results);
                });
    }

    private AckResult ack(Ack ack) {
        String problem = CursorLimits.problem(ack);
        if (problem != null) {
            return AckResult.invalid(problem);
        }
        long head = heads.applyAsLong(ack.key());
        if (ack.mid() > head) {
            return AckResult.notIssued(ack.mid(), head);
        }
        long now = clockMillis.getAsLong();
        AckResult[] result = new AckResult[1];
        cursors.compute(
                ack.key(),
                (k, devices) -> {
                    TreeMap<String, Cursor> live = devices == null ? new TreeMap<>() : devices;
                    live.values().removeIf(c -> expired(c, now));
                    Cursor current = live.get(ack.device());
                    if (current == null && live.size() >= limits.maxDevicesPerKey()) {
                        result[0] = AckResult.tooManyDevices(limits.maxDevicesPerKey());
                    } else {
                        long mid = current == null ? ack.mid() : Math.max(current.mid(), ack.mid());
                        live.put(ack.device(), new Cursor(mid, now));
                        result[0] = AckResult.stored(mid);
                    }
                    return live.isEmpty() ? null : live;
                });
        return result[0];
    }

    private boolean expired(Cursor c, long now) {
        return now >= c.writtenAt() + limits.lifetimeSeconds() * 1000;
    }

    @Override
    public CompletableFuture<KeyCursors> cursors(String key) {
        try {
            CursorLimits.checkKey(key);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        long now = clockMillis.getAsLong();
        List<DeviceCursor> live = new ArrayList<>();
        cursors.computeIfPresent(
                key,
                (k, devices) -> {
                    devices.values().removeIf(c -> expired(c, now));
                    devices.forEach(
                            (device, c) ->
                                    live.add(new DeviceCursor(device, c.mid(), c.writtenAt())));
                    return devices.isEmpty() ? null : devices;
                });
        return CompletableFuture.completedFuture(new KeyCursors(heads.applyAsLong(key), live));
    }
}
