package io.pushbase.cluster.message;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.lifecycle.Managed;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import io.dropwizard.validation.ValidationMethod;
import io.pushbase.cluster.discovery.LiveNodes;
import io.pushbase.cluster.grpc.GrpcTransport;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * YAML block of comet and web nodes for calling message nodes: the time bounds of {@link
 * MessageNodeClient} and the batching of appends ({@link AppendBatchConfiguration}). Builds the
 * client and the {@link MessageLog} appends go through.
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

    /** Batching of appends into AppendMany calls. */
    @NotNull @Valid private AppendBatchConfiguration batch = new AppendBatchConfiguration();

    @JsonProperty
    public AppendBatchConfiguration getBatch() {
        return batch;
    }

    @JsonProperty
    public void setBatch(AppendBatchConfiguration batch) {
        this.batch = batch;
    }

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
     * @param transport how channels to the nodes are opened
     */
    public MessageNodeClient build(
            LiveNodes messageNodes, MetricRegistry metrics, GrpcTransport transport) {
        return new MessageNodeClient(
                messageNodes,
                attemptTimeout.toMilliseconds(),
                totalTimeout.toMilliseconds(),
                metrics,
                transport);
    }

    /**
     * Where appends go: with {@code batch.enabled} an {@link AppendBatcher} over {@code client}
     * (handed to {@code manage}, which must run it after the client so it stops first), else the
     * client's single {@code Append}.
     */
    public MessageLog buildLog(
            MessageNodeClient client, MetricRegistry metrics, Consumer<Managed> manage) {
        if (!batch.isEnabled()) {
            return client::append;
        }
        AppendBatcher batcher =
                new AppendBatcher(
                        client::appendMany,
                        batch.getMaxEntries(),
                        batch.getMaxDelay().toNanoseconds() / 1e6,
                        batch.getMaxQueued(),
                        totalTimeout.toMilliseconds(),
                        totalTimeout.toMilliseconds(),
                        metrics);
        manage.accept(batcher);
        return batcher;
    }
}
