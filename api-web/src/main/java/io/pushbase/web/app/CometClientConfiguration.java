package io.pushbase.web.app;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import jakarta.validation.constraints.NotNull;
import java.util.concurrent.TimeUnit;

/**
 * YAML block {@code comets:} of a web node: how long it waits for a comet. {@code pushTimeout} must
 * exceed the comets' {@code messageNodes.totalTimeout} (10 s by default), or the web node gives up
 * on pushes the comet still completes and stores them a second time.
 */
public class CometClientConfiguration {
    @NotNull
    @MinDuration(value = 10, unit = TimeUnit.MILLISECONDS)
    private Duration pushTimeout = Duration.seconds(12);

    @NotNull
    @MinDuration(value = 10, unit = TimeUnit.MILLISECONDS)
    private Duration controlTimeout = Duration.seconds(3);

    /**
     * The bound of each comet's answer to presence ({@code /1/admin/online...}), which asks every
     * comet at once: a comet not answering within it is listed as unanswered.
     */
    @NotNull
    @MinDuration(value = 10, unit = TimeUnit.MILLISECONDS)
    private Duration presenceTimeout = Duration.seconds(1);

    @JsonProperty
    public Duration getPushTimeout() {
        return pushTimeout;
    }

    @JsonProperty
    public void setPushTimeout(Duration pushTimeout) {
        this.pushTimeout = pushTimeout;
    }

    @JsonProperty
    public Duration getControlTimeout() {
        return controlTimeout;
    }

    @JsonProperty
    public void setControlTimeout(Duration controlTimeout) {
        this.controlTimeout = controlTimeout;
    }

    @JsonProperty
    public Duration getPresenceTimeout() {
        return presenceTimeout;
    }

    @JsonProperty
    public void setPresenceTimeout(Duration presenceTimeout) {
        this.presenceTimeout = presenceTimeout;
    }
}
