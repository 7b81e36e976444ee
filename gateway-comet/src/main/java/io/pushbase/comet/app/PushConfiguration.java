package io.pushbase.comet.app;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.DataSize;
import io.dropwizard.validation.MaxDataSize;
import io.dropwizard.validation.MinDataSize;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

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
