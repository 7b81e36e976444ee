package io.pushbase.web.app;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.DataSize;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MaxDataSize;
import io.dropwizard.validation.MaxDuration;
import io.dropwizard.validation.MinDataSize;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.concurrent.TimeUnit;

/** YAML block {@code api:} of a web node: the bounds of the HTTP API and the admin secret. */
public class ApiConfiguration {
    /** Largest admin push body (the message, or the multi-key push object). */
    @NotNull
    @MinDataSize(1)
    @MaxDataSize(value = 4, unit = io.dropwizard.util.DataSizeUnit.MEBIBYTES)
    private DataSize maxBodySize = DataSize.kibibytes(64);

    /** Most keys in one multi-key push. */
    @Min(1)
    @Max(100_000)
    private int maxKeysPerPush = 10_000;

    /**
     * Most admin pushes this node works on at once; one more is refused with status 503 and {@code
     * Retry-After} instead of queueing behind them (PushAdmission).
     */
    @Min(1)
    @Max(1_000_000)
    private int maxPushesInFlight = 256;

    /** Most messages one offline pull answers: the message nodes' {@code store.maxStoredPerKey}. */
    @Min(1)
    @Max(10_000)
    private int maxPullMessages = 100;

    /** When set, every admin route requires {@code Authorization: Bearer <adminSecret>}. */
    private String adminSecret = "";

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.SECONDS)
    private Duration defaultTokenTtl = Duration.days(1);

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.SECONDS)
    private Duration maxTokenTtl = Duration.days(30);

    /**
     * How long a push with an idempotency key is recognised when retried (docs/MIDS.md, "Retries
     * without duplicates"): the message nodes cut a longer one to their retention ({@code
     * hbase.retention}, 30 days by default).
     */
    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.SECONDS)
    @MaxDuration(value = 30, unit = TimeUnit.DAYS)
    private Duration idempotencyWindow = Duration.days(1);

    @JsonProperty
    public Duration getIdempotencyWindow() {
        return idempotencyWindow;
    }

    @JsonProperty
    public void setIdempotencyWindow(Duration idempotencyWindow) {
        this.idempotencyWindow = idempotencyWindow;
    }

    @JsonProperty
    public DataSize getMaxBodySize() {
        return maxBodySize;
    }

    @JsonProperty
    public void setMaxBodySize(DataSize maxBodySize) {
        this.maxBodySize = maxBodySize;
    }

    @JsonProperty
    public int getMaxKeysPerPush() {
        return maxKeysPerPush;
    }

    @JsonProperty
    public void setMaxKeysPerPush(int maxKeysPerPush) {
        this.maxKeysPerPush = maxKeysPerPush;
    }

    @JsonProperty
    public int getMaxPushesInFlight() {
        return maxPushesInFlight;
    }

    @JsonProperty
    public void setMaxPushesInFlight(int maxPushesInFlight) {
        this.maxPushesInFlight = maxPushesInFlight;
    }

    @JsonProperty
    public int getMaxPullMessages() {
        return maxPullMessages;
    }

    @JsonProperty
    public void setMaxPullMessages(int maxPullMessages) {
        this.maxPullMessages = maxPullMessages;
    }

    @JsonProperty
    public String getAdminSecret() {
        return adminSecret;
    }

    @JsonProperty
    public void setAdminSecret(String adminSecret) {
        this.adminSecret = adminSecret == null ? "" : adminSecret;
    }

    @JsonProperty
    public Duration getDefaultTokenTtl() {
        return defaultTokenTtl;
    }

    @JsonProperty
    public void setDefaultTokenTtl(Duration defaultTokenTtl) {
        this.defaultTokenTtl = defaultTokenTtl;
    }

    @JsonProperty
    public Duration getMaxTokenTtl() {
        return maxTokenTtl;
    }

    @JsonProperty
    public void setMaxTokenTtl(Duration maxTokenTtl) {
        this.maxTokenTtl = maxTokenTtl;
    }
}
