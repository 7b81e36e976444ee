package io.pushbase.comet.subscription;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * (Pushbase, issue 14) One room a connection asks to join: at subscribe ({@code
 * room=<room>[@<since>]} on WebSocket and Server-Sent Events, the seventh TCP argument's list) or
 * later with {@code join}. Only the syntax is checked here (a name by the room rule, a since by the
 * since rule); whether the connection may join is the room membership's question. Immutable.
 *
 * @param room a room name (schema {@code Rooms})
 * @param since the largest mid of the room the client has: its stored messages after it are
 *     replayed first; empty for none
 */
public record RoomRequest(String room, OptionalLong since) {
    public RoomRequest {
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(since, "since");
    }

    @Override
    public String toString() {
        return since.isPresent() ? room + "@" + since.getAsLong() : room;
    }
}
