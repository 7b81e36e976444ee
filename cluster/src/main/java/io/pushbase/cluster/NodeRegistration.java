package io.pushbase.cluster;

import io.dropwizard.lifecycle.Managed;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.curator.utils.ZKPaths;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.ServiceType;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers this node in Curator service discovery on {@link #start()} and removes it on {@link
 * #stop()}: an ephemeral znode at Curator's instance path ({@code <base>/<service>/<id>}, the
 * instance serialised as {@link NodeDiscovery} does), so every {@code ServiceDiscovery} and {@code
 * ServiceCache} of the cluster reads it. It vanishes by itself when the node dies or its ZooKeeper
 * session expires, and is written again on the next (re)connection with a new session.
 *
 * <p>Why not Curator's {@code registerService}: on every {@code RECONNECTED} Curator writes its
 * registrations again, deleting a znode that still exists first, even when the session survived a
 * short disconnection. Peers then see the node vanish and come back (web routing and comet rings
 * flap). Here a reconnection leaves a znode that the current session owns untouched; only a znode
 * of an ended session (same id: this node's earlier life) is replaced.
 *
 * <p>Start after the server it advertises is listening and stop before that server, so peers never
 * see an address that does not answer. Borrows the Curator client (owned by {@link
 * CuratorLifecycle}). {@link #start()} and {@link #stop()} come from the lifecycle; the connection
 * listener runs on Curator's event thread; both serialise on this object. A failed re-registration
 * is logged and tried again on the next reconnection.
 */
public final class NodeRegistration implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(NodeRegistration.class);
    private static final int MAX_ATTEMPTS = 3;

    private final CuratorFramework client;
    private final ServiceInstance<NodeDetails> instance;
    private final String path;
    private final byte[] data;
    private final ConnectionStateListener reconnections = this::connectionChanged;
    private boolean registered; // guarded by this

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
        this.client = client;
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
            this.data = NodeDiscovery.serializer().serialize(instance);
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot describe this node: " + e, e);
        }
        this.path = ZKPaths.makePath(basePath, serviceName, instance.getId());
    }

    /** The instance id peers see ({@code host:port}). */
    public String instanceId() {
        return instance.getId();
    }

    public ServiceInstance<NodeDetails> instance() {
        return instance;
    }

    /** The registration's znode. */
    public String path() {
        return path;
    }

    @Override
    public synchronized void start() throws Exception {
        registered = true;
        client.getConnectionStateListenable().addListener(reconnections);
        try {
            write();
        } catch (Exception e) {
            registered = false;
            client.getConnectionStateListenable().removeListener(reconnections);
            throw e;
        }
        LOG.info(
                "Registered {} {} as {}",
                instance.getName(),
                instance.getId(),
                instance.getPayload());
    }

    @Override
    public synchronized void stop() throws Exception {
        if (!registered) {
            return;
        }
        registered = false;
        client.getConnectionStateListenable().removeListener(reconnections);
        // Guaranteed: if the connection is down now, Curator deletes it once it is back (or the
        // session ends and ZooKeeper does).
        client.delete().quietly().guaranteed().forPath(path);
        LOG.info("Deregistered {} {}", instance.getName(), instance.getId());
    }

    private synchronized void connectionChanged(CuratorFramework c, ConnectionState state) {
        if (!registered || !state.isConnected() || state == ConnectionState.READ_ONLY) {
            return;
        }
        try {
            write();
        } catch (Exception e) {
            LOG.error(
                    "Could not register {} {} again after a reconnection ({}); next reconnection"
                            + " tries again",
                    instance.getName(),
                    instance.getId(),
                    e.toString());
        }
    }

    /**
     * Makes the znode exist, owned by the current session: left alone if it already is, replaced if
     * an ended session of this node still holds it, created otherwise.
     */
    private void write() throws Exception {
        for (int attempt = 1; ; attempt++) {
            long session = client.getZookeeperClient().getZooKeeper().getSessionId();
            Stat stat = client.checkExists().forPath(path);
            if (stat != null && stat.getEphemeralOwner() == session) {
                return;
            }
            try {
                if (stat != null) {
                    client.delete().withVersion(stat.getVersion()).forPath(path);
                }
                client.create()
                        .creatingParentContainersIfNeeded()
                        .withMode(CreateMode.EPHEMERAL)
                        .forPath(path, data);
                return;
            } catch (KeeperException.NodeExistsException
                    | KeeperException.NoNodeException
                    | KeeperException.BadVersionException raced) {
                // Someone (ZooKeeper expiring the old session) changed it in between: look again.
                if (attempt == MAX_ATTEMPTS) {
                    throw raced;
                }
            }
        }
    }
}
