package io.pushbase.comet.channel;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.pushbase.comet.subscription.Subscriber;
import io.pushbase.comet.subscription.SubscriberRegistry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The comet's registry of live subscribers by key (gopush-cluster's channel bucket): at most {@code
 * maxSubscribersPerKey} connections per key; a subscriber leaves by itself when its connection
 * closes.
 *
 * <p>Thread-safe and non-blocking: admissions come from event loops, lookups from the push
 * pipeline. A key's entry exists only while it has subscribers, so memory follows live connections.
 * Metrics: gauges {@code comet.channels} (keys) and {@code comet.connections}, counter {@code
 * comet.channel.full} (refused for the per-key limit).
 */
public final class KeyChannels implements SubscriberRegistry {
    private final int maxSubscribersPerKey;
    private final Map<String, Set<Subscriber>> channels = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final Counter full;

    public KeyChannels(int maxSubscribersPerKey, MetricRegistry metrics) {
        if (maxSubscribersPerKey < 1) {
            throw new IllegalArgumentException("maxSubscribersPerKey must be positive");
        }
        this.maxSubscribersPerKey = maxSubscribersPerKey;
        this.full = metrics.counter("comet.channel.full");
        metrics.gauge("comet.channels", () -> (Gauge<Integer>) channels::size);
        metrics.gauge("comet.connections", () -> (Gauge<Integer>) connections::get);
    }

    /**
     * Adds {@code subscriber} to its key's channel unless the channel is full.
     *
     * @return false when the key already has {@code maxSubscribersPerKey} live subscribers
     */
    @Override
    public boolean add(Subscriber subscriber) {
        String key = subscriber.subscription().key();
        boolean[] added = {false};
        channels.compute(
                key,
                (k, set) -> {
                    Set<Subscriber> s = set != null ? set : ConcurrentHashMap.newKeySet();
                    if (s.size() < maxSubscribersPerKey) {
                        added[0] = s.add(subscriber);
                    }
                    return s.isEmpty() ? null : s;
                });
        if (!added[0]) {
            full.inc();
            return false;
        }
        connections.incrementAndGet();
        subscriber.closeFuture().thenRun(() -> remove(subscriber));
        return true;
    }

    private void remove(Subscriber subscriber) {
        String key = subscriber.subscription().key();
        boolean[] removed = {false};
        channels.computeIfPresent(
                key,
                (k, set) -> {
                    removed[0] = set.remove(subscriber);
                    return set.isEmpty() ? null : set;
                });
        if (removed[0]) {
            connections.decrementAndGet();
        }
    }

    /** The live subscribers of {@code key} (a snapshot; empty if none). */
    public Collection<Subscriber> subscribers(String key) {
        Set<Subscriber> set = channels.get(key);
        return set == null ? List.of() : List.copyOf(set);
    }

    /**
     * (Pushbase, issue 14) Every live subscriber of every key (a snapshot): a broadcast's
     * connections.
     */
    public List<Subscriber> all() {
        List<Subscriber> all = new ArrayList<>(connections.get());
        for (Set<Subscriber> set : channels.values()) {
            all.addAll(set);
        }
        return all;
    }

    /** Connections of {@code key} right now. */
    public int count(String key) {
        Set<Subscriber> set = channels.get(key);
        return set == null ? 0 : set.size();
    }

    /** Keys with at least one live subscriber. */
    public int channelCount() {
        return channels.size();
    }

    public int connectionCount() {
        return connections.get();
    }

    /** Closes every connection of {@code key}; returns how many were closed. */
    public int close(String key) {
        Collection<Subscriber> subs = subscribers(key);
        subs.forEach(Subscriber::close);
        return subs.size();
    }

    /**
     * Closes every connection whose key {@code leaves} (e.g. keys that moved to another comet on a
     * ring change); returns how many connections were closed.
     */
    public int closeWhere(Predicate<String> leaves) {
        List<Subscriber> closing = new ArrayList<>();
        for (Map.Entry<String, Set<Subscriber>> e : channels.entrySet()) {
            if (leaves.test(e.getKey())) {
                closing.addAll(e.getValue());
            }
        }
        closing.forEach(Subscriber::close);
        return closing.size();
    }
}
