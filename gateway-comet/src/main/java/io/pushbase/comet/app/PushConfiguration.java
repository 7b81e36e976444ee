package io.pushbase.comet.app;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDataSize;
import io.dropwizard.validation.MinDataSize;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.concurrent.TimeUnit;

/** YAML block {@code push:} of a comet: the bounds of its push pipeline. */
public class PushConfiguration {
    /** Largest message accepted (the message nodes' own limit should be the same). */
    @NotNull
    @MinDataSize(1)
    @MaxDataSize(value = 4, unit = io.dropwizard.util.DataSizeUnit.MEBIBYTES)
    private DataSize maxPayloadSize = DataSize.kibibytes(64);

    /** Pushes waiting per key (one runs at a time per key); one more is refused. */
    @Min(1)
    @Max(100_000)
    private int maxQueuedPerKey = 100;

    /** Pushes in flight in the whole comet; one more is refused. */
    @Min(1)
    private int maxInFlight = 50_000;

    /**
     * (Pushbase, issue 14) Bound of each {@code DeliverRoom} call a room's owner makes to another
     * comet.
     */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.MILLISECONDS)
    private Duration roomPeerTimeout = Duration.seconds(2);

    /**
     * (Pushbase) Room messages waiting per room per other comet; one more is not sent to that comet
     * (its members get it when they resume the room).
     */
    @Min(1)
    private int maxQueuedPerRoomPeer = 1_000;

    /**
     * (Pushbase) Broadcasts waiting or being written on this comet (each holds a snapshot of the
     * comet's connections until its spread is done); one more is refused (docs/ROOMS.md).
     */
    @Min(1)
    @Max(100_000)
    private int maxQueuedBroadcasts = 64;

    @JsonProperty
    public int getMaxQueuedBroadcasts() {
        return maxQueuedBroadcasts;
    }

    @JsonProperty
    public void setMaxQueuedBroadcasts(int maxQueuedBroadcasts) {
        this.maxQueuedBroadcasts = maxQueuedBroadcasts;
    }

    @JsonProperty
    public Duration getRoomPeerTimeout() {
        return roomPeerTimeout;
    }

    @JsonProperty
    public void setRoomPeerTimeout(Duration roomPeerTimeout) {
        this.roomPeerTimeout = roomPeerTimeout;
    }

    @JsonProperty
    public int getMaxQueuedPerRoomPeer() {
        return maxQueuedPerRoomPeer;
    }

    @JsonProperty
    public void setMaxQueuedPerRoomPeer(int maxQueuedPerRoomPeer) {
        this.maxQueuedPerRoomPeer = maxQueuedPerRoomPeer;
    }

    @JsonProperty
    public DataSize getMaxPayloadSize() {
        return maxPayloadSize;
    }

    @JsonProperty
    public void setMaxPayloadSize(DataSize maxPayloadSize) {
        this.maxPayloadSize = maxPayloadSize;
    }

    @JsonProperty
    public int getMaxQueuedPerKey() {
        return maxQueuedPerKey;
    }

    @JsonProperty
    public void setMaxQueuedPerKey(int maxQueuedPerKey) {
        this.maxQueuedPerKey = maxQueuedPerKey;
    }

    @JsonProperty
    public int getMaxInFlight() {
        return maxInFlight;
    }

    @JsonProperty
    public void setMaxInFlight(int maxInFlight) {
        this.maxInFlight = maxInFlight;
    }
}
