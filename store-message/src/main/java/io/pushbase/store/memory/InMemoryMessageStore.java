package io.pushbase.store.memory;

import io.pushbase.cluster.grpc.GrpcFutures;
import io.pushbase.store.AppendEntry;
import io.pushbase.store.AppendOutcome;
import io.pushbase.store.AppendResult;
import io.pushbase.store.FetchPage;
import io.pushbase.store.LogSpace;
import io.pushbase.store.LowWaterMark;
import io.pushbase.store.MessageStore;
import io.pushbase.store.StoreLimits;
import io.pushbase.store.StoredMessage;
import java.nio.ByteBuffer;
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
    private final LogSpace space;
    private final Map<String, NavigableMap<Long, Entry>> logs = new ConcurrentHashMap<>();
    private final Map<String, Head> heads = new ConcurrentHashMap<>();
    private final Map<String, Map<ByteBuffer, Indexed>> indexes = new ConcurrentHashMap<>();
    // The low-water mark's inputs per key (LowWaterMark): the stored floor, the shortest expiry.
    private final Map<String, Marks> marks = new ConcurrentHashMap<>();

    private record Head(long mid, byte[] claim, long writtenAt) {}

    /** A claim indexed with the head (an idempotent push), until {@code expiresAt}. */
    private record Indexed(long mid, long writtenAt, long expiresAt) {}

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
        this(limits, clockMillis, LogSpace.KEYS);
    }

    /**
     * (Pushbase) A store of the logs of {@code space}: {@link LogSpace#ROOMS} checks names by the
     * room rule. One instance per space, so a room's log never meets a key's of the same name.
     */
    public InMemoryMessageStore(StoreLimits limits, LongSupplier clockMillis, LogSpace space) {
        this.limits = limits;
        this.clockMillis = clockMillis;
        this.space = space;
    }

    /**
     * The key's largest taken mid, {@code -1} when it has none (Pushbase, acknowledgements: the
     * {@link InMemoryCursorStore} refuses acks above it, as the HBase store reads its head row).
     */
    public long head(String key) {
        Head h = heads.get(key);
        return h == null ? -1 : h.mid();
    }

    @Override
    public CompletableFuture<AppendResult> append(AppendEntry e) {
        return GrpcFutures.attempt(
                () -> {
                    String key = e.key();
                    space.check(limits, key);
                    limits.checkAppend(e.mid(), e.claim(), e.payload(), e.expireSeconds());
                    long indexSeconds = limits.indexSeconds(e.indexSeconds());
                    byte[] ours = e.claim().clone();
                    long now = clockMillis.getAsLong();
                    AppendResult[] result = new AppendResult[1];
                    long[] write = {0, e.expireSeconds()}; // mid to store at (0: none), expiry
                    // The head and the claim index change together, under the key's bin lock.
                    heads.compute(
                            key,
                            (k, h) -> {
                                if (e.findClaim()) {
                                    return findThenTake(
                                            key, h, e, indexSeconds, ours, now, result, write);
                                }
                                if (h == null || h.mid() < e.mid()) {
                                    result[0] = new AppendResult(true, e.mid());
                                    write[0] = e.mid();
                                    index(key, indexSeconds, ours, e.mid(), now);
                                    return new Head(e.mid(), ours, now);
                                }
                                if (h.mid() == e.mid() && Arrays.equals(h.claim(), ours)
                                        || storedWithClaim(key, e.mid(), ours)) {
                                    result[0] = new AppendResult(true, h.mid());
                                    write[0] = e.mid();
                                } else if (Arrays.equals(h.claim(), ours)) {
                                    // Our claim holds the head at another mid: appended there.
                                    result[0] = AppendResult.duplicateAt(h.mid(), h.mid());
                                } else {
                                    result[0] = new AppendResult(false, h.mid());
                                }
                                return h;
                            });
                    // A duplicate writes only a message its claim took but never stored.
                    if (write[0] != 0
                            && write[1] > 0
                            && (!result[0].duplicate() || !holds(key, write[0]))) {
                        put(key, write[0], e.payload(), write[1], ours);
                    }
                    return CompletableFuture.completedFuture(result[0]);
                });
    }

    /**
     * The find path under the key's lock: the claim's index, the head, else the key's stored
     * messages; found, a duplicate (its message completed when missing, still due and not under the
     * floor); not found, {@code max(mid, head + 1)} is taken.
     */
    private Head findThenTake(
            String key,
            Head h,
            AppendEntry e,
            long indexSeconds,
            byte[] ours,
            long now,
            AppendResult[] result,
            long[] write) {
        long headMid = h == null ? 0 : h.mid();
        long found = 0;
        long writtenAt = -1;
        Indexed indexed = indexes.getOrDefault(key, Map.of()).get(ByteBuffer.wrap(ours));
        if (indexed != null && indexed.expiresAt() > now) {
            found = indexed.mid();
            writtenAt = indexed.writtenAt();
        } else if (h != null && Arrays.equals(h.claim(), ours)) {
            found = h.mid();
            writtenAt = h.writtenAt();
        } else if (indexSeconds == 0) {
            found = newestWithClaim(key, ours);
        }
        if (found != 0) {
            result[0] = AppendResult.duplicateAt(found, Math.max(headMid, found));
            long age = now - writtenAt;
            long floor = marks.getOrDefault(key, Marks.NONE).floor();
            if (writtenAt >= 0
                    && e.expireSeconds() > 0
                    && found > floor
                    && age < e.expireSeconds() * 1000) {
                write[0] = found;
                write[1] = Math.max(1, e.expireSeconds() - age / 1000);
            }
            return h;
        }
        long mid = Math.max(e.mid(), headMid + 1);
        result[0] = new AppendResult(true, mid, mid == e.mid() ? 0 : mid, false);
        write[0] = mid;
        index(key, indexSeconds, ours, mid, now);
        return new Head(mid, ours, now);
    }

    private void index(String key, long indexSeconds, byte[] claim, long mid, long now) {
        if (indexSeconds > 0) {
            Map<ByteBuffer, Indexed> index =
                    indexes.computeIfAbsent(key, k -> new ConcurrentHashMap<>());
            index.values().removeIf(i -> i.expiresAt() <= now);
            index.put(ByteBuffer.wrap(claim), new Indexed(mid, now, now + indexSeconds * 1000));
        }
    }

    /** The newest unexpired stored mid of {@code key} carrying {@code claim}, 0 if none. */
    private long newestWithClaim(String key, byte[] claim) {
        NavigableMap<Long, Entry> log = logs.get(key);
        if (log == null) {
            return 0;
        }
        synchronized (log) {
            dropExpired(log);
            for (Map.Entry<Long, Entry> m : log.descendingMap().entrySet()) {
                if (Arrays.equals(m.getValue().claim(), claim)) {
                    return m.getKey();
                }
            }
            return 0;
        }
    }

    private boolean holds(String key, long mid) {
        NavigableMap<Long, Entry> log = logs.get(key);
        if (log == null) {
            return false;
        }
        synchronized (log) {
            return log.containsKey(mid);
        }
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
                                append(e)
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
                    space.check(limits, key);
                    int max = limits.checkFetchLimit(limit);
                    NavigableMap<Long, Entry> log = logs.get(key);
                    List<StoredMessage> out = new ArrayList<>();
                    boolean more = false;
                    if (log != null) {
                        synchronized (log) {
                            dropExpired(log);
                            for (Map.Entry<Long, Entry> e :
                                    log.tailMap(Math.max(after, 0), false).entrySet()) {
                                if (out.size() == max) {
                                    more = true;
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
                    return CompletableFuture.completedFuture(new FetchPage(out, floor, more));
                });
    }

    @Override
    public CompletableFuture<Long> last(String key) {
        return GrpcFutures.attempt(
                () -> {
                    space.check(limits, key);
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
                    space.check(limits, key);
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
