package io.pushbase.store.memory;

import io.pushbase.cluster.grpc.GrpcFutures;
import io.pushbase.store.AppendEntry;
import io.pushbase.store.AppendOutcome;
import io.pushbase.store.AppendResult;
import io.pushbase.store.FetchPage;
import io.pushbase.store.LowWaterMark;
import io.pushbase.store.MessageStore;
import io.pushbase.store.StoreLimits;
import io.pushbase.store.StoredMessage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A {@link MessageStore} in this JVM's heap, with the same semantics as the HBase store (the shared
 * contract test proves it) but nothing durable: for tests of other components and for development
 * without HBase.
 *
 * <p>Thread-safe: each key's log is guarded by its own lock. Memory: at most {@code
 * maxStoredPerKey} messages per key are kept (older ones are dropped as messages are stored,
 * expired ones when the key is next touched); the number of keys is not bounded.
 */
public final class InMemoryMessageStore implements MessageStore {
    private record Entry(byte[] payload, long expiresAtMillis, byte[] claim) {}

    private final StoreLimits limits;
    private final LongSupplier clockMillis;
    private final Map<String, NavigableMap<Long, Entry>> logs = new ConcurrentHashMap<>();
    private final Map<String, Head> heads = new ConcurrentHashMap<>();
    // The low-water mark's inputs per key (LowWaterMark): the stored floor, the shortest expiry.
    private final Map<String, Marks> marks = new ConcurrentHashMap<>();

    private record Head(long mid, byte[] claim) {}

    private record Marks(long floor, long minExpireSeconds) {
        static final Marks NONE = new Marks(0, 0);

        Marks raise(long to) {
            return to > floor ? new Marks(to, minExpireSeconds) : this;
        }

        Marks expiry(long seconds) {
            return minExpireSeconds == 0 || seconds < minExpireSeconds
                    ? new Marks(floor, seconds)
                    : this;
        }
    }

    public InMemoryMessageStore(StoreLimits limits) {
        this(limits, System::currentTimeMillis);
    }

    /**
     * @param clockMillis wall clock in ms, replaceable so tests can move time
     */
    public InMemoryMessageStore(StoreLimits limits, LongSupplier clockMillis) {
        this.limits = limits;
        this.clockMillis = clockMillis;
    }

    @Override
    public CompletableFuture<AppendResult> append(
            String key, long mid, byte[] claim, byte[] payload, long expireSeconds) {
        return GrpcFutures.attempt(
                () -> {
                    limits.checkKey(key);
                    limits.checkAppend(mid, claim, payload, expireSeconds);
                    byte[] ours = claim.clone();
                    Head head =
                            heads.compute(
                                    key,
                                    (k, h) -> h == null || h.mid() < mid ? new Head(mid, ours) : h);
                    boolean taken =
                            head.mid() == mid && Arrays.equals(head.claim(), ours)
                                    || storedWithClaim(key, mid, ours);
                    if (taken && expireSeconds > 0) {
                        put(key, mid, payload, expireSeconds, ours);
                    }
                    return CompletableFuture.completedFuture(new AppendResult(taken, head.mid()));
                });
    }

    @Override
    public CompletableFuture<List<AppendOutcome>> appendMany(List<AppendEntry> entries) {
        return GrpcFutures.attempt(
                () -> {
                    limits.checkEntries(entries);
                    // append() completes before it returns, so entries apply in list order.
                    List<AppendOutcome> outcomes = new ArrayList<>(entries.size());
                    for (AppendEntry e : entries) {
                        outcomes.add(
                                append(e.key(), e.mid(), e.claim(), e.payload(), e.expireSeconds())
                                        .handle(
                                                (r, err) ->
                                                        err == null
                                                                ? AppendOutcome.of(r)
                                                                : AppendOutcome.failed(err))
                                        .join());
                    }
                    return CompletableFuture.completedFuture(outcomes);
                });
    }

    @Override
    public CompletableFuture<FetchPage> fetch(
            String key, long after, int limit, boolean withFloor) {
        return GrpcFutures.attempt(
                () -> {
                    limits.checkKey(key);
                    int max = limits.checkFetchLimit(limit);
                    NavigableMap<Long, Entry> log = logs.get(key);
                    List<StoredMessage> out = new ArrayList<>();
                    if (log != null) {
                        synchronized (log) {
                            dropExpired(log);
                            for (Map.Entry<Long, Entry> e :
                                    log.tailMap(Math.max(after, 0), false).entrySet()) {
                                if (out.size() == max) {
                                    break;
                                }
                                out.add(
                                        new StoredMessage(
                                                e.getKey(),
                                                e.getValue().payload(),
                                                e.getValue().expiresAtMillis()));
                            }
                        }
                    }
                    // Read after the messages: a trim or delete raised the floor before the rows
                    // went. The log never holds more than the cap, so no window floor.
                    long floor = LowWaterMark.NONE;
                    if (withFloor) {
                        Head head = heads.get(key);
                        Marks m = marks.getOrDefault(key, Marks.NONE);
                        floor =
                                LowWaterMark.floor(
                                        head == null ? -1 : head.mid(),
                                        m.floor(),
                                        0,
                                        m.minExpireSeconds(),
                                        limits.retentionSeconds(),
                                        clockMillis.getAsLong());
                    }
                    return CompletableFuture.completedFuture(new FetchPage(out, floor));
                });
    }

    @Override
    public CompletableFuture<Long> last(String key) {
        return GrpcFutures.attempt(
                () -> {
                    limits.checkKey(key);
                    NavigableMap<Long, Entry> log = logs.get(key);
                    long last = 0;
                    if (log != null) {
                        synchronized (log) {
                            dropExpired(log);
                            last = log.isEmpty() ? 0 : log.lastKey();
                        }
                    }
                    return CompletableFuture.completedFuture(last);
                });
    }

    @Override
    public CompletableFuture<Void> delete(String key) {
        return GrpcFutures.attempt(
                () -> {
                    limits.checkKey(key);
                    NavigableMap<Long, Entry> log = logs.get(key);
                    if (log != null) {
                        synchronized (log) {
                            // Every mid up to the newest deleted may be gone: the floor first.
                            if (!log.isEmpty()) {
                                long newest = log.lastKey();
                                marks.merge(
                                        key, Marks.NONE.raise(newest), (x, y) -> x.raise(newest));
                            }
                            logs.remove(key, log);
                        }
                    }
                    // The head stays: mids keep growing after a delete.
                    return CompletableFuture.completedFuture(null);
                });
    }

    /** Messages held for {@code key}, expired or not: what the store really keeps. */
    public int heldCount(String key) {
        NavigableMap<Long, Entry> log = logs.get(key);
        if (log == null) {
            return 0;
        }
        synchronized (log) {
            return log.size();
        }
    }

    private boolean storedWithClaim(String key, long mid, byte[] claim) {
        NavigableMap<Long, Entry> log = logs.get(key);
        if (log == null) {
            return false;
        }
        synchronized (log) {
            Entry e = log.get(mid);
            return e != null && Arrays.equals(e.claim(), claim);
        }
    }

    private void put(String key, long mid, byte[] payload, long expireSeconds, byte[] claim) {
        Entry entry =
                new Entry(payload.clone(), clockMillis.getAsLong() + expireSeconds * 1000, claim);
        // Recorded before the message is: a reader that sees it sees its expiry counted.
        marks.merge(key, Marks.NONE.expiry(expireSeconds), (a, b) -> a.expiry(expireSeconds));
        while (true) {
            NavigableMap<Long, Entry> log = logs.computeIfAbsent(key, k -> new TreeMap<>());
            synchronized (log) {
                if (logs.get(key) != log) {
                    continue; // deleted meanwhile: retry on the fresh log
                }
                log.put(mid, entry);
                dropExpired(log);
                while (log.size() > limits.maxStoredPerKey()) {
                    long trimmed = log.pollFirstEntry().getKey();
                    // Under the log's lock, so a fetch that misses the row sees the floor.
                    marks.merge(key, Marks.NONE.raise(trimmed), (a, b) -> a.raise(trimmed));
                }
                return;
            }
        }
    }

    private void dropExpired(NavigableMap<Long, Entry> log) {
        long now = clockMillis.getAsLong();
        for (Iterator<Entry> it = log.values().iterator(); it.hasNext(); ) {
            if (it.next().expiresAtMillis() <= now) {
                it.remove();
            }
        }
    }
}
