package io.pushbase.comet.room;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.pushbase.comet.replay.ResumingSubscriber;
import io.pushbase.comet.subscription.ChannelSubscriber;
import io.pushbase.comet.subscription.Subscriber;
import io.pushbase.schema.client.Rooms;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * (Pushbase, issue 14) Writes a room message to every member of the room on this comet
 * (docs/ROOMS.md, "Fan-out"):
 *
 * <ol>
 *   <li>the members are grouped by their connection's event loop;
 *   <li>the message's frames are built once per transport framing and message format its members
 *       use ({@link FramedMessage}), and every member writes a retained duplicate of its frame — no
 *       copy of the payload, no encoder, per member;
 *   <li>each event loop gets one task per batch: the messages queued for it since its last run (of
 *       any room) are written to their members without flushing, then every connection written to
 *       is flushed once — one flush per connection per event-loop batch, however many messages the
 *       batch held;
 *   <li>a member over the connection's outbound bound ({@code maxPendingMessages}, shared with its
 *       key and its other rooms) is closed as a slow consumer, as for a key's push.
 * </ol>
 *
 * <p>A room's message is handed on ({@link #deliver}'s future completes) once it is queued on every
 * event loop, while up to {@value #MAX_UNWRITTEN_PER_ROOM} of the room's messages are still being
 * written; beyond that, once the oldest of them is written. The room's pushes are sequenced one at
 * a time on the completion of that future, so this is what lets the owner append the room's next
 * message while the previous one is written, and the event loops write several of one room's
 * messages in one batch (one flush per connection for all of them) when they fall behind — waiting
 * for every write of every message had capped a room at one message per fan-out time (about 3
 * messages a second to 10,000 members on a loaded 2-core machine, docs/BENCHMARKS.md). The window
 * bounds what a room can queue on the event loops.
 *
 * <p>A member still replaying the room (a join with a since) gets the message through its resuming
 * subscriber, which holds it until the replay is done ({@link RoomMember#deliver}).
 *
 * <p>Broadcasts (room {@link Rooms#ALL}) are answered at once and written one after another, each
 * spread over its own time; at most {@code maxQueuedBroadcasts} of them wait or are being written
 * here ({@link #acceptsBroadcast}: the comet's pipeline refuses the next before anything is stored
 * or queued, so a caller pushing faster than the broadcasts are written, or many long spreads,
 * meets a bound instead of a queue of connection snapshots growing without one). Counter {@code
 * comet.rooms.broadcasts.queued}.
 *
 * <p>Order: one room's messages must be handed in mid order ({@link #deliver} called one after
 * another for a room, as the owner's sequencer and the per-comet delivery order do); each event
 * loop runs its tasks in submission order, so every member receives them in that order.
 *
 * <p>Thread-safe and non-blocking; the future completes (with the number of members written to)
 * once every event loop has run its part. Counters in {@link RoomMetrics}.
 */
public final class RoomFanout {
    /** A broadcast's spread goes in slices of about this many milliseconds. */
    static final long SLICE_MILLIS = 20;

    /** A room's messages queued on the event loops but not yet written before deliver waits. */
    static final int MAX_UNWRITTEN_PER_ROOM = 8;

    private final RoomIndex index;
    private final RoomMetrics metrics;
    private final ByteBufAllocator alloc;
    private final Supplier<List<Subscriber>> everyone;
    private final Map<EventLoop, LoopBatch> batches = new ConcurrentHashMap<>();

    /** Per room with messages being written: their results, oldest first. Guarded by itself. */
    private final Map<String, ArrayDeque<CompletableFuture<Integer>>> unwritten = new HashMap<>();

    /** The last broadcast's spread; the next starts when it completes. Guarded by this. */
    private CompletableFuture<Void> broadcasts = CompletableFuture.completedFuture(null);

    private final int maxQueuedBroadcasts;
    private final AtomicInteger queuedBroadcasts = new AtomicInteger();

    /** A fan-out of rooms only: a broadcast reaches no connection (and is never refused). */
    public RoomFanout(RoomIndex index, RoomMetrics metrics, ByteBufAllocator alloc) {
        this(index, metrics, alloc, List::of, Integer.MAX_VALUE);
    }

    /**
     * @param everyone every subscribed connection of this comet now (its {@code KeyChannels}): a
     *     broadcast's (room {@link Rooms#ALL})
     * @param maxQueuedBroadcasts broadcasts waiting or being written here before {@link
     *     #acceptsBroadcast} says no (each holds its snapshot of the connections until written)
     */
    public RoomFanout(
            RoomIndex index,
            RoomMetrics metrics,
            ByteBufAllocator alloc,
            Supplier<List<Subscriber>> everyone,
            int maxQueuedBroadcasts) {
        if (maxQueuedBroadcasts < 1) {
            throw new IllegalArgumentException(
                    "maxQueuedBroadcasts must be at least 1, got " + maxQueuedBroadcasts);
        }
        this.index = index;
        this.metrics = metrics;
        this.alloc = alloc;
        this.everyone = everyone;
        this.maxQueuedBroadcasts = maxQueuedBroadcasts;
    }

    /**
     * Whether a broadcast may be queued now: fewer than {@link #maxQueuedBroadcasts} wait or are
     * being written. When not, the caller refuses it, counted here ({@code
     * comet.rooms.broadcasts.refused}). {@link #broadcast} itself never refuses: a broadcast is
     * appended between this check and its queueing, and a room's owner runs one at a time, so the
     * bound holds to within the number of callers checking at once.
     */
    public boolean acceptsBroadcast() {
        if (queuedBroadcasts.get() < maxQueuedBroadcasts) {
            return true;
        }
        metrics.broadcastsRefused().inc();
        return false;
    }

    /** Broadcasts waiting or being written here now. */
    public int queuedBroadcasts() {
        return queuedBroadcasts.get();
    }

    public int maxQueuedBroadcasts() {
        return maxQueuedBroadcasts;
    }

    /**
     * Writes {@code payload} as room {@code room}'s message {@code mid} to every member here.
     *
     * @param payload the message JSON as pushed; not copied, must not be modified afterwards
     * @return the members it was handed to (written, or queued to be written in order, by their
     *     event loops; held for those that replay), once it is queued on every event loop and fewer
     *     than {@value #MAX_UNWRITTEN_PER_ROOM} of the room's earlier messages are still being
     *     written (see the class comment)
     */
    public CompletableFuture<Integer> deliver(String room, long mid, byte[] payload) {
        return deliver(room, mid, payload, 0);
    }

    /**
     * {@link #deliver(String, long, byte[])}; room {@link Rooms#ALL} is a broadcast ({@link
     * #broadcast}), spread over {@code spreadMillis}.
     */
    public CompletableFuture<Integer> deliver(
            String room, long mid, byte[] payload, long spreadMillis) {
        if (Rooms.ALL.equals(room)) {
            return broadcast(mid, payload, spreadMillis);
        }
        Set<RoomMember> members = index.members(room);
        if (members.isEmpty()) {
            return CompletableFuture.completedFuture(0);
        }
        Map<EventLoop, List<RoomMember>> byLoop = new IdentityHashMap<>();
        int handed = 0;
        for (RoomMember m : members) {
            byLoop.computeIfAbsent(m.eventLoop(), l -> new ArrayList<>()).add(m);
            handed++;
        }
        Work.Total total =
                new Work.Total(byLoop.size(), new FramedMessage(room, mid, payload, alloc));
        CompletableFuture<Integer> before = admit(room, total.result);
        for (Map.Entry<EventLoop, List<RoomMember>> e : byLoop.entrySet()) {
            batches.computeIfAbsent(e.getKey(), LoopBatch::new)
                    .submit(new Work(e.getValue(), mid, payload, total));
        }
        int handedOn = handed;
        return before == null
                ? CompletableFuture.completedFuture(handedOn)
                : before.handle((n, e) -> handedOn);
    }

    /**
     * Counts {@code written} among {@code room}'s messages being written until it completes.
     *
     * @return null when fewer than {@value #MAX_UNWRITTEN_PER_ROOM} earlier ones are unwritten,
     *     else the oldest of them, to wait for
     */
    private CompletableFuture<Integer> admit(String room, CompletableFuture<Integer> written) {
        CompletableFuture<Integer> oldest = null;
        synchronized (unwritten) {
            ArrayDeque<CompletableFuture<Integer>> queue =
                    unwritten.computeIfAbsent(room, r -> new ArrayDeque<>());
            // Written ones whose own callback (below) has not run yet do not count.
            while (!queue.isEmpty() && queue.peekFirst().isDone()) {
                queue.pollFirst();
            }
            if (queue.size() >= MAX_UNWRITTEN_PER_ROOM) {
                oldest = queue.peekFirst();
            }
            queue.addLast(written);
        }
        written.whenComplete(
                (n, e) -> {
                    synchronized (unwritten) {
                        ArrayDeque<CompletableFuture<Integer>> queue = unwritten.get(room);
                        if (queue != null && queue.remove(written) && queue.isEmpty()) {
                            unwritten.remove(room);
                        }
                    }
                });
        return oldest;
    }

    /**
     * (Broadcast) Writes a message of room {@link Rooms#ALL} to every connection subscribed here
     * now, as a room message ({@code "room":"*"}) from the same shared frames: at once, or spread
     * evenly over {@code spreadMillis} in slices of about {@value #SLICE_MILLIS} ms (each slice's
     * connections written and flushed by their event loops). A comet's broadcasts run one after
     * another, so a connection gets them in mid order whatever their spreads. Answers at once with
     * the connections it will write to; the writes follow. Counted in {@link #queuedBroadcasts}
     * until its last slice is written; callers check {@link #acceptsBroadcast} first.
     */
    public CompletableFuture<Integer> broadcast(long mid, byte[] payload, long spreadMillis) {
        List<RoomMember> targets = new ArrayList<>();
        for (Subscriber s : everyone.get()) {
            ChannelSubscriber connection =
                    s instanceof ChannelSubscriber c
                            ? c
                            : s instanceof ResumingSubscriber r ? r.target() : null;
            if (connection != null && connection.isOpen()) {
                targets.add(new RoomMember(Rooms.ALL, connection));
            }
        }
        queuedBroadcasts.incrementAndGet();
        metrics.broadcastsQueued().inc();
        CompletableFuture<Void> written;
        synchronized (this) {
            written =
                    broadcasts
                            .thenCompose(v -> spread(targets, mid, payload, spreadMillis))
                            .exceptionally(e -> null);
            broadcasts = written;
        }
        written.whenComplete(
                (v, e) -> {
                    queuedBroadcasts.decrementAndGet();
                    metrics.broadcastsQueued().dec();
                });
        return CompletableFuture.completedFuture(targets.size());
    }

    private CompletableFuture<Void> spread(
            List<RoomMember> targets, long mid, byte[] payload, long spreadMillis) {
        if (targets.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        int slices =
                (int)
                        Math.max(
                                1,
                                Math.min(targets.size(), Math.max(0, spreadMillis) / SLICE_MILLIS));
        List<Map<EventLoop, List<RoomMember>>> bySlice = new ArrayList<>(slices);
        int works = 0;
        for (int i = 0; i < slices; i++) {
            Map<EventLoop, List<RoomMember>> byLoop = new IdentityHashMap<>();
            int from = (int) ((long) targets.size() * i / slices);
            int to = (int) ((long) targets.size() * (i + 1) / slices);
            for (RoomMember m : targets.subList(from, to)) {
                byLoop.computeIfAbsent(m.eventLoop(), l -> new ArrayList<>()).add(m);
            }
            works += byLoop.size();
            bySlice.add(byLoop);
        }
        Work.Total total = new Work.Total(works, new FramedMessage(Rooms.ALL, mid, payload, alloc));
        for (int i = 0; i < slices; i++) {
            long delay = spreadMillis * i / slices;
            for (Map.Entry<EventLoop, List<RoomMember>> e : bySlice.get(i).entrySet()) {
                LoopBatch batch = batches.computeIfAbsent(e.getKey(), LoopBatch::new);
                Work work = new Work(e.getValue(), mid, payload, total);
                if (delay == 0) {
                    batch.submit(work);
                } else {
                    try {
                        e.getKey().schedule(() -> batch.submit(work), delay, TimeUnit.MILLISECONDS);
                    } catch (RejectedExecutionException rejected) {
                        total.done(0); // the event loop is shutting down with the comet
                    }
                }
            }
        }
        return total.result.thenApply(n -> null);
    }

    /** One message's members on one event loop. */
    private record Work(List<RoomMember> members, long mid, byte[] payload, Total total) {
        /** What the event loops of one message add up to. */
        static final class Total {
            final AtomicInteger loopsLeft;
            final AtomicInteger written = new AtomicInteger();
            final FramedMessage frames;
            final CompletableFuture<Integer> result = new CompletableFuture<>();

            Total(int loops, FramedMessage frames) {
                this.loopsLeft = new AtomicInteger(loops);
                this.frames = frames;
            }

            void done(int n) {
                written.addAndGet(n);
                if (loopsLeft.decrementAndGet() == 0) {
                    frames.release();
                    result.complete(written.get());
                }
            }
        }
    }

    /** The queue of one event loop's room writes, drained by one task at a time. */
    private final class LoopBatch implements Runnable {
        private final EventLoop loop;
        private final Queue<Work> queue = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean scheduled = new AtomicBoolean();

        LoopBatch(EventLoop loop) {
            this.loop = loop;
        }

        void submit(Work work) {
            queue.add(work);
            if (scheduled.compareAndSet(false, true)) {
                try {
                    loop.execute(this);
                } catch (RejectedExecutionException e) {
                    // The event loop is shutting down with the comet: its connections are gone.
                    scheduled.set(false);
                    for (Work w; (w = queue.poll()) != null; ) {
                        w.total().done(0);
                    }
                }
            }
        }

        @Override
        public void run() {
            // Cleared first: a message queued while this batch drains schedules the next one.
            scheduled.set(false);
            Map<Channel, ChannelSubscriber> written = new IdentityHashMap<>();
            for (Work w; (w = queue.poll()) != null; ) {
                int n = 0;
                for (RoomMember m : w.members()) {
                    Subscriber.Delivery d = m.deliver(w.mid(), w.payload(), w.total().frames);
                    if (d == Subscriber.Delivery.QUEUED) {
                        n++;
                        written.putIfAbsent(m.target().channel(), m.target());
                    } else {
                        metrics.undelivered().inc();
                    }
                }
                metrics.delivered().inc(n);
                w.total().done(n);
            }
            for (ChannelSubscriber c : written.values()) {
                c.flush();
            }
            metrics.flushes().inc(written.size());
        }
    }
}
