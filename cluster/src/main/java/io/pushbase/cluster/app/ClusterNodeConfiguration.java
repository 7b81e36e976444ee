package io.pushbase.cluster.app;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;
import io.pushbase.cluster.ZooKeeperConfiguration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

/**
 * The YAML block every node shares: {@code zookeeper} (its session and the cluster's root). Each
 * role's configuration extends it; validated at start like the rest.
 */
public abstract class ClusterNodeConfiguration extends Configuration {
    @Valid @NotNull private ZooKeeperConfiguration zookeeper = new ZooKeeperConfiguration();

    @JsonProperty
    public ZooKeeperConfiguration getZookeeper() {
        return zookeeper;
    }

    @JsonProperty
    public void setZookeeper(ZooKeeperConfiguration zookeeper) {
        this.zookeeper = zookeeper;
    }
}
