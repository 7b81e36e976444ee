package io.pushbase.cluster;

import io.dropwizard.lifecycle.Managed;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.ServiceType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers this node in Curator service discovery on {@link #start()} and removes it on {@link
 * #stop()}. The registration is an ephemeral znode ({@link ServiceType#DYNAMIC}): it vanishes by
 * itself when the node dies or its ZooKeeper session expires, and Curator writes it again after a
 * reconnect with a new session.
 *
 * <p>Start after the server it advertises is listening and stop before that server, so peers never
 * see an address that does not answer. Borrows the Curator client (owned by {@link
 * CuratorLifecycle}). Not thread-safe; called by the lifecycle only.
 */
public final class NodeRegistration implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(NodeRegistration.class);

    private final ServiceDiscovery<NodeDetails> discovery;
    private final ServiceInstance<NodeDetails> instance;

    /**
     * @param basePath discovery base path, {@code ZkPaths#discovery()}
     * @param serviceName e.g. {@code ZkPaths.SERVICE_MESSAGE}
     * @param host advertised host peers connect to
     * @param port advertised main port (gRPC for message nodes)
     */
    public NodeRegistration(
            CuratorFramework client,
            String basePath,
            String serviceName,
            String host,
            int port,
            NodeDetails details) {
        try {
            this.instance =
                    ServiceInstance.<NodeDetails>builder()
                            .name(serviceName)
                            .id(host + ":" + port)
                            .address(host)
                            .port(port)
                            .payload(details)
                            .serviceType(ServiceType.DYNAMIC)
                            .build();
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot describe this node: " + e, e);
        }
        this.discovery = NodeDiscovery.open(client, basePath);
    }

    /** The instance id peers see ({@code host:port}). */
    public String instanceId() {
        return instance.getId();
    }

    public ServiceInstance<NodeDetails> instance() {
        return instance;
    }

    @Override
    public void start() throws Exception {
        discovery.start();
        discovery.registerService(instance);
        LOG.info(
                "Registered {} {} as {}",
                instance.getName(),
                instance.getId(),
                instance.getPayload());
    }

    @Override
    public void stop() throws Exception {
        try {
            discovery.unregisterService(instance);
            LOG.info("Deregistered {} {}", instance.getName(), instance.getId());
        } finally {
            discovery.close();
        }
    }
}
