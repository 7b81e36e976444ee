package io.pushbase.store.app;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDataSize;
import io.dropwizard.validation.MinDataSize;
import io.pushbase.store.StoreLimits;
import io.pushbase.store.cursor.CursorLimits;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * YAML block {@code store:} of a message node: the per-request and per-key bounds ({@link
 * StoreLimits}) and how the per-key cap is enforced.
 */
public class StoreConfiguration {
    /** The largest {@code maxStoredPerKey} a node starts with. */
    public static final int MAX_STORED_PER_KEY = 100_000;

    @NotNull
    @MinDataSize(1)
    @MaxDataSize(value = 4, unit = io.dropwizard.util.DataSizeUnit.MEBIBYTES)
    private DataSize maxPayloadSize = DataSize.kibibytes(64);

    /**
     * Newest messages kept per key. Up to 100,000: neither a trim nor a fetch reads the whole cap
     * (docs/STORE.md, "Per-key cap"); a fetch holds one page, and a resume reads the gap page by
     * page.
     */
    @Min(1)
    @Max(MAX_STORED_PER_KEY)
    private int maxStoredPerKey = StoreLimits.DEFAULT_MAX_STORED_PER_KEY;

    /** Most entries in one AppendMany; a larger one is refused whole. */
    @Min(1)
    @Max(100_000)
    private int maxEntriesPerAppendMany = StoreLimits.DEFAULT_MAX_ENTRIES_PER_APPEND_MANY;

    /**
     * A key is trimmed back to its cap after this many messages stored to it on this node. A trim
     * is a scan, so the default equals the default cap: a key cannot exceed its cap before that
     * many messages, and a busy key costs one scan per 100 messages.
     */
    @Min(1)
    private int trimEvery = StoreLimits.DEFAULT_MAX_STORED_PER_KEY;

    @Min(1)
    private int trimMaxInFlight = 64;

    /**
     * (Pushbase, acknowledgements) Most device cursors per key; acks of more devices are refused.
     */
    @Min(1)
    @Max(1024)
    private int maxDevicesPerKey = CursorLimits.DEFAULT_MAX_DEVICES;

    /**
     * How long a device cursor lives after its last ack; absent: the retention (as long as a
     * message of the key can live).
     */
    private Duration cursorLifetime;

    @Min(1)
    private int trimTrackedKeys = 100_000;

    @JsonProperty
    public DataSize getMaxPayloadSize() {
        return maxPayloadSize;
    }

    @JsonProperty
    public void setMaxPayloadSize(DataSize maxPayloadSize) {
        this.maxPayloadSize = maxPayloadSize;
    }

    @JsonProperty
    public int getMaxStoredPerKey() {
        return maxStoredPerKey;
    }

    @JsonProperty
    public void setMaxStoredPerKey(int maxStoredPerKey) {
        this.maxStoredPerKey = maxStoredPerKey;
    }

    @JsonProperty
    public int getMaxEntriesPerAppendMany() {
        return maxEntriesPerAppendMany;
    }

    @JsonProperty
    public void setMaxEntriesPerAppendMany(int maxEntriesPerAppendMany) {
        this.maxEntriesPerAppendMany = maxEntriesPerAppendMany;
    }

    @JsonProperty
    public int getTrimEvery() {
        return trimEvery;
    }

    @JsonProperty
    public void setTrimEvery(int trimEvery) {
        this.trimEvery = trimEvery;
    }

    @JsonProperty
    public int getTrimMaxInFlight() {
        return trimMaxInFlight;
    }

    @JsonProperty
    public void setTrimMaxInFlight(int trimMaxInFlight) {
        this.trimMaxInFlight = trimMaxInFlight;
    }

    @JsonProperty
    public int getTrimTrackedKeys() {
        return trimTrackedKeys;
    }

    @JsonProperty
    public void setTrimTrackedKeys(int trimTrackedKeys) {
        this.trimTrackedKeys = trimTrackedKeys;
    }

    @JsonProperty
    public int getMaxDevicesPerKey() {
        return maxDevicesPerKey;
    }

    @JsonProperty
    public void setMaxDevicesPerKey(int maxDevicesPerKey) {
        this.maxDevicesPerKey = maxDevicesPerKey;
    }

    @JsonProperty
    public Duration getCursorLifetime() {
        return cursorLifetime;
    }

    @JsonProperty
    public void setCursorLifetime(Duration cursorLifetime) {
        this.cursorLifetime = cursorLifetime;
    }

    /** The device cursors' bounds; the lifetime is the retention unless set. */
    public CursorLimits cursorLimits(long retentionSeconds) {
        long lifetime =
                cursorLifetime == null ? retentionSeconds : Math.max(1, cursorLifetime.toSeconds());
        return new CursorLimits(maxDevicesPerKey, lifetime, maxEntriesPerAppendMany);
    }

    public StoreLimits limits(long retentionSeconds) {
        return new StoreLimits(
                (int) maxPayloadSize.toBytes(),
                maxStoredPerKey,
                retentionSeconds,
                maxEntriesPerAppendMany);
    }
}
