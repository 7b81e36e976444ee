package io.pushbase.cluster;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
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
                .serializer(new JsonInstanceSerializer<>(NodeDetails.class))
                .build();
    }
}
