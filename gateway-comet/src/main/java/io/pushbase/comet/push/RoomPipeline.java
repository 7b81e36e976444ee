package io.pushbase.comet.push;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import io.pushbase.cluster.message.AppendClaim;
import io.pushbase.cluster.message.KeyAppender;
import io.pushbase.cluster.message.MessageLog;
import io.pushbase.comet.room.RoomFanout;
import io.pushbase.schema.client.MidClock;
import io.pushbase.schema.client.Rooms;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * (Pushbase, issue 14) Pushes a message to a room, on the comet that owns the room on the ring
 * (docs/ROOMS.md): takes the room's mid exactly as a key's ({@link KeyAppender#forRooms}: the room
 * log's head in the store, docs/MIDS.md "Room mids"), has it appended to the room's log (durable
 * before the answer when {@code expire > 0}), sends it to the other comets ({@link RoomPeers}, one
 * call per comet, in mid order per room and comet) and writes it to this comet's members ({@link
 * RoomFanout}). A room's pushes run one at a time, in arrival order, like a key's ({@link
 * SequencedPushes}), so every comet gets them in mid order.
 *
 * <p>{@link #deliver} is the other side: a room message its owner sent, written to this comet's
 * members.
 *
 * <p>Bounds: {@code maxQueuedPerRoom} pushes wait per room and {@code maxInFlight} in all (the key
 * pipeline's values); beyond either, {@link PushRejectedException.Reason#OVERLOADED}. So is a
 * broadcast pushed here, before it is appended, or sent here by its owner, while the fan-out holds
 * its most broadcasts ({@link RoomFanout#acceptsBroadcast}): a broadcast is answered before it is
 * written, so without that bound a caller could queue them faster than they are written.
 * Thread-safe and non-blocking. Metrics: timer {@code comet.rooms.push}, meters {@code
 * comet.rooms.push.acknowledged}, {@code comet.rooms.push.failed}, {@code
 * comet.rooms.push.rejected}, {@code comet.rooms.push.duplicates}, {@code
 * comet.rooms.push.conflicts} (mids refused by the room's head), {@code comet.rooms.received}
 * (messages other comets sent).
 */
public final class RoomPipeline {
    private static final Logger LOG = LoggerFactory.getLogger(RoomPipeline.class);

    private final RoomFanout fanout;
    private final RoomPeers peers;
    private final SequencedPushes pushes;
    private final int maxPayloadBytes;
    private final Meter received;

    /**
     * @param owns whether this comet owns a room now (the ring places the room's name on it, and it
     *     leads its node name)
     */
    public RoomPipeline(
            RoomFanout fanout,
            RoomPeers peers,
            MessageLog log,
            MidClock clock,
            Predicate<String> owns,
            int maxPayloadBytes,
            int maxQueuedPerRoom,
            int maxInFlight,
            MetricRegistry metrics) {
        this.fanout = fanout;
        this.peers = peers;
        this.maxPayloadBytes = maxPayloadBytes;
        this.pushes =
                new SequencedPushes(
                        "room",
                        "room pushes",
                        "comet.rooms.push",
                        KeyAppender.forRooms(
                                log, clock, metrics.meter("comet.rooms.push.conflicts")),
                        owns,
                        maxQueuedPerRoom,
                        maxInFlight,
                        metrics,
                        LOG);
        this.received = metrics.meter("comet.rooms.received");
    }

    /**
     * Pushes {@code payload} to {@code room}, appended with {@code claim}; not appended once {@code
     * abandoned} is true by the push's turn (as a key's push).
     *
     * @param payload the message JSON as pushed; not copied, must not be modified afterwards
     * @return its mid and reach, once appended and written to this comet's members
     */
    public CompletableFuture<RoomPushed> push(
            String room,
            byte[] payload,
            long expireSeconds,
            AppendClaim claim,
            BooleanSupplier abandoned) {
        return push(room, payload, expireSeconds, 0, claim, abandoned);
    }

    /**
     * {@link #push(String, byte[], long, AppendClaim, BooleanSupplier)}; for a broadcast (room
     * {@link Rooms#ALL}: every connection of every comet) spread over {@code spreadMillis}.
     */
    public CompletableFuture<RoomPushed> push(
            String room,
            byte[] payload,
            long expireSeconds,
            long spreadMillis,
            AppendClaim claim,
            BooleanSupplier abandoned) {
        String invalid = invalid(room, payload, spreadMillis);
        if (invalid == null && expireSeconds < 0) {
            invalid = "expire must not be negative, got " + expireSeconds;
        }
        if (invalid != null) {
            return pushes.refuse(PushRejectedException.Reason.INVALID, invalid);
        }
        if (Rooms.ALL.equals(room) && !fanout.acceptsBroadcast()) {
            // Before the append: nothing is stored for a broadcast the caller is told to retry.
            return pushes.refuse(PushRejectedException.Reason.OVERLOADED, broadcastsQueued());
        }
        return pushes.push(
                room,
                payload,
                expireSeconds,
                claim,
                abandoned,
                taken -> deliverTaken(room, payload, spreadMillis, taken),
                RoomPushed::duplicate);
    }

    private CompletableFuture<RoomPushed> deliverTaken(
            String room, byte[] payload, long spreadMillis, KeyAppender.Appended taken) {
        if (taken.duplicate()) {
            // Delivered by the attempt that took it (or stored for the room's pull).
            return CompletableFuture.completedFuture(new RoomPushed(taken.mid(), 0, true, 0));
        }
        // Queued for the other comets first (in this room's mid order: the sequencer runs the
        // room's next push only after this one completes), then written here.
        int sent = peers.send(room, taken.mid(), payload, spreadMillis);
        return fanout.deliver(room, taken.mid(), payload, spreadMillis)
                .thenApply(n -> new RoomPushed(taken.mid(), n, false, sent));
    }

    /**
     * Writes room {@code room}'s message {@code mid} (appended already, by the room's owner) to
     * this comet's members: a {@code DeliverRoom} from the owner.
     */
    public CompletableFuture<Integer> deliver(String room, long mid, byte[] payload) {
        return deliver(room, mid, payload, 0);
    }

    /** {@link #deliver(String, long, byte[])}, a broadcast spread over {@code spreadMillis}. */
    public CompletableFuture<Integer> deliver(
            String room, long mid, byte[] payload, long spreadMillis) {
        String invalid = invalid(room, payload, spreadMillis);
        if (invalid == null && mid <= 0) {
            invalid = "mid must be positive, got " + mid;
        }
        if (invalid != null) {
            return pushes.refuse(PushRejectedException.Reason.INVALID, invalid);
        }
        received.mark();
        if (Rooms.ALL.equals(room) && !fanout.acceptsBroadcast()) {
            // Stored already (or online only): this comet's connections get it by pulling room *.
            return CompletableFuture.failedFuture(
                    new PushRejectedException(
                            PushRejectedException.Reason.OVERLOADED, broadcastsQueued()));
        }
        return fanout.deliver(room, mid, payload, spreadMillis);
    }

    private String broadcastsQueued() {
        return fanout.queuedBroadcasts()
                + " broadcasts are queued on this comet (push.maxQueuedBroadcasts: "
                + fanout.maxQueuedBroadcasts()
                + "); retry once they are written";
    }

    /** The longest spread of a broadcast: 10 minutes. */
    public static final long MAX_SPREAD_MILLIS = 600_000;

    private String invalid(String room, byte[] payload, long spreadMillis) {
        if (spreadMillis < 0 || spreadMillis > MAX_SPREAD_MILLIS) {
            return "spread must be 0.." + MAX_SPREAD_MILLIS + " ms, got " + spreadMillis;
        }
        if (spreadMillis > 0 && !Rooms.ALL.equals(room)) {
            return "only a broadcast (room " + Rooms.ALL + ") is spread";
        }
        String roomProblem = Rooms.logProblem(room);
        if (roomProblem != null) {
            return roomProblem;
        }
        return SequencedPushes.payloadProblem(payload, maxPayloadBytes);
    }
}
