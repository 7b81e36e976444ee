package io.pushbase.comet.room;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.pushbase.comet.subscription.ChannelSubscriber;
import io.pushbase.comet.subscription.Subscriber;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

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
 * A member still replaying the room (a join with a since) gets the message through its resuming
 * subscriber, which holds it until the replay is done ({@link RoomMember#deliver}).
 *
 * <p>Order: one room's messages must be handed in mid order ({@link #deliver} called one after
 * another for a room, as the owner's sequencer and the per-comet delivery order do); each event
 * loop runs its tasks in submission order, so every member receives them in that order.
 *
 * <p>Thread-safe and non-blocking; the future completes (with the number of members written to)
 * once every event loop has run its part. Counters in {@link RoomMetrics}.
 */
public final class RoomFanout {
    private final RoomIndex index;
    private final RoomMetrics metrics;
    private final ByteBufAllocator alloc;
    private final Map<EventLoop, LoopBatch> batches = new ConcurrentHashMap<>();

    public RoomFanout(RoomIndex index, RoomMetrics metrics, ByteBufAllocator alloc) {
        this.index = index;
        this.metrics = metrics;
        this.alloc = alloc;
    }

    /**
     * Writes {@code payload} as room {@code room}'s message {@code mid} to every member here.
     *
     * @param payload the message JSON as pushed; not copied, must not be modified afterwards
     * @return the members it was written to (or held for, while they replay), once every event loop
     *     has done its part
     */
    public CompletableFuture<Integer> deliver(String room, long mid, byte[] payload) {
        Set<RoomMember> members = index.members(room);
        if (members.isEmpty()) {
            return CompletableFuture.completedFuture(0);
        }
        Map<EventLoop, List<RoomMember>> byLoop = new IdentityHashMap<>();
        for (RoomMember m : members) {
            byLoop.computeIfAbsent(m.eventLoop(), l -> new ArrayList<>()).add(m);
        }
        Work.Total total =
                new Work.Total(byLoop.size(), new FramedMessage(room, mid, payload, alloc));
        for (Map.Entry<EventLoop, List<RoomMember>> e : byLoop.entrySet()) {
            batches.computeIfAbsent(e.getKey(), LoopBatch::new)
                    .submit(new Work(e.getValue(), mid, payload, total));
        }
        return total.result;
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
