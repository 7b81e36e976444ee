package io.pushbase.comet.push;

/**
 * (Pushbase, issue 14) Where a room's owner sends each room message for the other comets' members:
 * one {@code DeliverRoom} call per other comet per message, a room's messages one after another per
 * comet, so every comet writes them to its members in mid order ({@code cluster.PeerComets} in a
 * comet). Thread-safe and non-blocking.
 */
@FunctionalInterface
public interface RoomPeers {
    /**
     * Queues room {@code room}'s message {@code mid} for every other comet, behind the room's
     * earlier messages to each; returns at once.
     *
     * @param payload the message as pushed; not copied, must not be modified afterwards
     * @param spreadMillis a broadcast's spread (room {@code *}), else 0
     * @return the comets it was queued for
     */
    int send(String room, long mid, byte[] payload, long spreadMillis);

    /** No other comet (a comet alone, tests). */
    RoomPeers NONE = (room, mid, payload, spreadMillis) -> 0;
}
