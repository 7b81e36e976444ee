package io.pushbase.cluster;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.details.InstanceSerializer;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;

/**
 * The one way Pushbase nodes open Curator service discovery: {@link NodeDetails} payloads
 * serialised as JSON under the cluster's discovery base path. Whoever calls {@link #open} owns the
 * returned (not yet started) discovery and must start and close it.
 */
public final class NodeDiscovery {
    private NodeDiscovery() {}

    /**
     * @param basePath {@code ZkPaths#discovery()}
     */
    public static ServiceDiscovery<NodeDetails> open(CuratorFramework client, String basePath) {
        return ServiceDiscoveryBuilder.builder(NodeDetails.class)
                .client(client)
                .basePath(basePath)
                .serializer(serializer())
                .build();
    }

    /** How a registration's znode holds its instance (Curator's JSON form). */
    public static InstanceSerializer<NodeDetails> serializer() {
        return new JsonInstanceSerializer<>(NodeDetails.class);
    }
}
