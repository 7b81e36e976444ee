package io.pushbase.comet.room;

import io.pushbase.schema.client.Rooms;
import java.util.List;

/**
 * (Pushbase, issue 14) Which rooms a connection may join: every room when auth is off; with auth
 * on, those its token's {@code rooms} claim names — a room exactly, {@code prefix*} every room
 * starting with the prefix, {@code *} every room — and none when the claim is absent. Immutable.
 */
public final class RoomAccess {
    private static final RoomAccess ANY = new RoomAccess(null);

    private final List<String> patterns; // null: any

    private RoomAccess(List<String> patterns) {
        this.patterns = patterns;
    }

    /** Auth off: every room. */
    public static RoomAccess any() {
        return ANY;
    }

    /** Auth on: the rooms the token's claim names. */
    public static RoomAccess of(List<String> claim) {
        return new RoomAccess(List.copyOf(claim));
    }

    public boolean allows(String room) {
        return patterns == null || Rooms.claimNames(patterns, room);
    }
}
