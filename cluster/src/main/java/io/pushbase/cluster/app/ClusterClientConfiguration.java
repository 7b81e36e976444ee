package io.pushbase.cluster.app;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.pushbase.cluster.discovery.LiveNodes;
import io.pushbase.cluster.message.MessageClientConfiguration;
import io.pushbase.cluster.token.TokenConfiguration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import org.apache.curator.framework.CuratorFramework;

/**
 * The YAML blocks every node that calls message nodes and checks subscriber tokens shares (comets
 * and web nodes), besides {@code zookeeper}: {@code messageNodes}, {@code auth} and {@code
 * discoveryStartTimeout}. Each role's configuration extends it with its own blocks; validated at
 * start like the rest.
 */
public abstract class ClusterClientConfiguration extends ClusterNodeConfiguration {
    @Valid @NotNull
    private MessageClientConfiguration messageNodes = new MessageClientConfiguration();

    @Valid @NotNull private TokenConfiguration auth = new TokenConfiguration();

    /** How long start waits for the first view of each service it watches. */
    @NotNull private Duration discoveryStartTimeout = Duration.seconds(10);

    /**
     * A live view of {@code service} (e.g. {@code ZkPaths.SERVICE_MESSAGE}) under this node's
     * discovery path, whose start waits at most {@code discoveryStartTimeout}; not started, the
     * caller manages it.
     */
    public LiveNodes liveNodes(CuratorFramework client, String service) {
        return new LiveNodes(
                client,
                getZookeeper().paths().discovery(),
                service,
                discoveryStartTimeout.toMilliseconds());
    }

    @JsonProperty
    public MessageClientConfiguration getMessageNodes() {
        return messageNodes;
    }

    @JsonProperty
    public void setMessageNodes(MessageClientConfiguration messageNodes) {
        this.messageNodes = messageNodes;
    }

    @JsonProperty
    public TokenConfiguration getAuth() {
        return auth;
    }

    @JsonProperty
    public void setAuth(TokenConfiguration auth) {
        this.auth = auth;
    }

    @JsonProperty
    public Duration getDiscoveryStartTimeout() {
        return discoveryStartTimeout;
    }

    @JsonProperty
    public void setDiscoveryStartTimeout(Duration discoveryStartTimeout) {
        this.discoveryStartTimeout = discoveryStartTimeout;
    }
}
