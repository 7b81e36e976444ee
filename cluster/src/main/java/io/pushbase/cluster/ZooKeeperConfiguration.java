package io.pushbase.cluster;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.pushbase.schema.ZkPaths;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

/**
 * YAML block {@code zookeeper:} of every node: where the ensemble is and under which root Pushbase
 * keeps its znodes. Builds the node's {@link CuratorLifecycle}.
 */
public class ZooKeeperConfiguration {
    @NotEmpty private String connectString = "127.0.0.1:2181";

    @NotEmpty private String root = ZkPaths.DEFAULT_ROOT;

    @NotNull private Duration sessionTimeout = Duration.seconds(15);

    @NotNull private Duration connectionTimeout = Duration.seconds(10);

    @JsonProperty
    public String getConnectString() {
        return connectString;
    }

    @JsonProperty
    public void setConnectString(String connectString) {
        this.connectString = connectString;
    }

    @JsonProperty
    public String getRoot() {
        return root;
    }

    @JsonProperty
    public void setRoot(String root) {
        this.root = root;
    }

    @JsonProperty
    public Duration getSessionTimeout() {
        return sessionTimeout;
    }

    @JsonProperty
    public void setSessionTimeout(Duration sessionTimeout) {
        this.sessionTimeout = sessionTimeout;
    }

    @JsonProperty
    public Duration getConnectionTimeout() {
        return connectionTimeout;
    }

    @JsonProperty
    public void setConnectionTimeout(Duration connectionTimeout) {
        this.connectionTimeout = connectionTimeout;
    }

    public ZkPaths paths() {
        return ZkPaths.under(root);
    }

    /** A not-yet-started Curator client wrapped in its lifecycle. */
    public CuratorLifecycle build() {
        CuratorFramework client =
                CuratorFrameworkFactory.builder()
                        .connectString(connectString)
                        .sessionTimeoutMs((int) sessionTimeout.toMilliseconds())
                        .connectionTimeoutMs((int) connectionTimeout.toMilliseconds())
                        .retryPolicy(new ExponentialBackoffRetry(200, 10, 5_000))
                        .build();
        return new CuratorLifecycle(client, connectionTimeout.toMilliseconds());
    }
}
