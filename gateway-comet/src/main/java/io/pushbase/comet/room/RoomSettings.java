package io.pushbase.comet.room;

import io.pushbase.comet.subscription.SubscriptionParser;
import io.pushbase.schema.client.Rooms;

/**
 * (Pushbase, issue 14) The bounds of rooms on one comet (comet.yml {@code clients.rooms}), each
 * refused with its own {@code -j <room> <reason>} and counted ({@link RoomMetrics}).
 *
 * @param maxRoomsPerConnection most rooms one connection is in at once (at subscribe and by {@code
 *     join}); default {@value SubscriptionParser#DEFAULT_MAX_ROOMS}; one more: {@code limit}
 * @param maxNameBytes longest room name this comet accepts, at most the room rule's {@value
 *     Rooms#MAX_BYTES}; default {@value SubscriptionParser#DEFAULT_MAX_ROOM_NAME_BYTES}; longer:
 *     {@code name}
 * @param maxMembersPerRoom most members of one room on this comet; default {@value
 *     #DEFAULT_MAX_MEMBERS_PER_ROOM}; one more: {@code full}
 */
public record RoomSettings(int maxRoomsPerConnection, int maxNameBytes, int maxMembersPerRoom) {
    /** Default most members of one room on one comet. */
    public static final int DEFAULT_MAX_MEMBERS_PER_ROOM = 100_000;

    public RoomSettings {
        if (maxRoomsPerConnection < 1 || maxMembersPerRoom < 1) {
            throw new IllegalArgumentException("room bounds must be positive");
        }
        if (maxNameBytes < 1 || maxNameBytes > Rooms.MAX_BYTES) {
            throw new IllegalArgumentException(
                    "maxNameBytes must be 1.." + Rooms.MAX_BYTES + ": " + maxNameBytes);
        }
    }

    public static RoomSettings defaults() {
        return new RoomSettings(
                SubscriptionParser.DEFAULT_MAX_ROOMS,
                SubscriptionParser.DEFAULT_MAX_ROOM_NAME_BYTES,
                DEFAULT_MAX_MEMBERS_PER_ROOM);
    }
}
