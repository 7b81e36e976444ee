package io.pushbase.comet.server;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.pushbase.comet.room.RoomSettings;
import io.pushbase.comet.subscription.SubscriptionParser;
import io.pushbase.schema.client.Rooms;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * (Pushbase, issue 14) YAML block {@code clients.rooms:} of a comet: the bounds of rooms
 * (docs/PROTOCOL.md "Rooms"), each refused with {@code -j <room> <reason>} and counted in {@code
 * comet.rooms.refused.<reason>}.
 *
 * <pre>
 * maxRoomsPerConnection: 16    # rooms one connection is in at once; one more: -j room limit
 * maxNameBytes: 64             # longest room name (the rule allows 128); longer: -j * name
 * maxMembersPerRoom: 100000    # members of one room on this comet; one more: -j room full
 * </pre>
 */
public class RoomsConfiguration {
    @Min(1)
    @Max(1024)
    private int maxRoomsPerConnection = SubscriptionParser.DEFAULT_MAX_ROOMS;

    @Min(1)
    @Max(Rooms.MAX_BYTES)
    private int maxNameBytes = SubscriptionParser.DEFAULT_MAX_ROOM_NAME_BYTES;

    @Min(1)
    private int maxMembersPerRoom = RoomSettings.DEFAULT_MAX_MEMBERS_PER_ROOM;

    @JsonProperty
    public int getMaxRoomsPerConnection() {
        return maxRoomsPerConnection;
    }

    @JsonProperty
    public void setMaxRoomsPerConnection(int maxRoomsPerConnection) {
        this.maxRoomsPerConnection = maxRoomsPerConnection;
    }

    @JsonProperty
    public int getMaxNameBytes() {
        return maxNameBytes;
    }

    @JsonProperty
    public void setMaxNameBytes(int maxNameBytes) {
        this.maxNameBytes = maxNameBytes;
    }

    @JsonProperty
    public int getMaxMembersPerRoom() {
        return maxMembersPerRoom;
    }

    @JsonProperty
    public void setMaxMembersPerRoom(int maxMembersPerRoom) {
        this.maxMembersPerRoom = maxMembersPerRoom;
    }

    public RoomSettings build() {
        return new RoomSettings(maxRoomsPerConnection, maxNameBytes, maxMembersPerRoom);
    }
}
