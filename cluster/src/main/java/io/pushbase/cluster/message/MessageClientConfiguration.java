package io.pushbase.cluster.message;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import io.dropwizard.validation.ValidationMethod;
import io.pushbase.cluster.discovery.LiveNodes;
import jakarta.validation.constraints.NotNull;
import java.util.concurrent.TimeUnit;

/**
 * YAML block of comet and web nodes for calling message nodes: the time bounds of {@link
 * MessageNodeClient}. Builds the client.
 */
public class MessageClientConfiguration {
    /** Deadline of one attempt on one message node. */
    @NotNull
    @MinDuration(value = 10, unit = TimeUnit.MILLISECONDS)
    private Duration attemptTimeout = Duration.seconds(3);

    /** Bound of a whole call, retries on other nodes included. */
    @NotNull
    @MinDuration(value = 10, unit = TimeUnit.MILLISECONDS)
    private Duration totalTimeout = Duration.seconds(10);

    @JsonProperty
    public Duration getAttemptTimeout() {
        return attemptTimeout;
    }

    @JsonProperty
    public void setAttemptTimeout(Duration attemptTimeout) {
        this.attemptTimeout = attemptTimeout;
    }

    @JsonProperty
    public Duration getTotalTimeout() {
        return totalTimeout;
    }

    @JsonProperty
    public void setTotalTimeout(Duration totalTimeout) {
        this.totalTimeout = totalTimeout;
    }

    @JsonIgnore
    @ValidationMethod(message = "totalTimeout must not be shorter than attemptTimeout")
    public boolean isTotalTimeoutAtLeastAttemptTimeout() {
        return attemptTimeout == null
                || totalTimeout == null
                || totalTimeout.toMilliseconds() >= attemptTimeout.toMilliseconds();
    }

    /**
     * A not-yet-started client following {@code messageNodes}; manage it after them.
     *
     * @param messageNodes live instances of service {@code message}
     */
    public MessageNodeClient build(LiveNodes messageNodes, MetricRegistry metrics) {
        return new MessageNodeClient(
                messageNodes,
                attemptTimeout.toMilliseconds(),
                totalTimeout.toMilliseconds(),
                metrics);
    }
}
