package io.pushbase.comet.room;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import io.pushbase.comet.codec.RoomReply;
import java.util.EnumMap;
import java.util.Map;

/**
 * (Pushbase, issue 14) The room counters of a comet: {@code comet.rooms.joined} and {@code
 * comet.rooms.left} (joins and leaves, at subscribe, by command, and by the connection's close),
 * {@code comet.rooms.refused.<name|since|auth|limit|full>} (joins refused, one per reason), {@code
 * comet.rooms.delivered} (room messages written to members), {@code comet.rooms.undelivered}
 * (members closed or over their bound at delivery), {@code comet.rooms.flushes} (flushes of the
 * fan-out: one per member connection per event-loop batch), {@code comet.rooms.broadcasts.queued}
 * (broadcasts waiting or being written here, up and down) and {@code
 * comet.rooms.broadcasts.refused} (broadcasts refused because that many were queued: pushed here,
 * or sent by their owner). Gauges {@code comet.rooms} (rooms with a member here) and {@code
 * comet.rooms.members} (memberships) are {@link RoomIndex}'s. Thread-safe.
 */
public final class RoomMetrics {
    private final Counter joined;
    private final Counter left;
    private final Map<RoomReply.Refusal, Counter> refused = new EnumMap<>(RoomReply.Refusal.class);
    private final Counter delivered;
    private final Counter undelivered;
    private final Counter flushes;
    private final Counter broadcastsQueued;
    private final Counter broadcastsRefused;

    public RoomMetrics(MetricRegistry metrics) {
        this.joined = metrics.counter("comet.rooms.joined");
        this.left = metrics.counter("comet.rooms.left");
        for (RoomReply.Refusal r : RoomReply.Refusal.values()) {
            refused.put(r, metrics.counter("comet.rooms.refused." + r.word()));
        }
        this.delivered = metrics.counter("comet.rooms.delivered");
        this.undelivered = metrics.counter("comet.rooms.undelivered");
        this.flushes = metrics.counter("comet.rooms.flushes");
        this.broadcastsQueued = metrics.counter("comet.rooms.broadcasts.queued");
        this.broadcastsRefused = metrics.counter("comet.rooms.broadcasts.refused");
    }

    public Counter joined() {
        return joined;
    }

    public Counter left() {
        return left;
    }

    public Counter refused(RoomReply.Refusal reason) {
        return refused.get(reason);
    }

    public Counter delivered() {
        return delivered;
    }

    public Counter undelivered() {
        return undelivered;
    }

    public Counter flushes() {
        return flushes;
    }

    public Counter broadcastsQueued() {
        return broadcastsQueued;
    }

    public Counter broadcastsRefused() {
        return broadcastsRefused;
    }
}
