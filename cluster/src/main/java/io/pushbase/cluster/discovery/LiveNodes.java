package io.pushbase.cluster.discovery;

import io.dropwizard.lifecycle.Managed;
import io.pushbase.cluster.CuratorLifecycle;
import io.pushbase.cluster.NodeDetails;
import io.pushbase.cluster.NodeDiscovery;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.x.discovery.ServiceCache;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.details.ServiceCacheListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live view of the registered instances of one discovery service (e.g. every message node), kept
 * current by a Curator {@link ServiceCache}: {@link #instances()} is an in-memory snapshot, so
 * callers may ask on every request without reading ZooKeeper.
 *
 * <p>Ownership: opens and owns its own {@link ServiceDiscovery} and cache; borrows the Curator
 * client (owned by {@link CuratorLifecycle}), so start it after that and stop it before. Objects
 * that follow it (listeners) are stopped before it.
 *
 * <p>Threading: {@link #instances()} and listener registration are thread-safe. Listeners run on
 * the cache's event thread, one change at a time and in order, after the snapshot they should read
 * is in place; they must be quick and must not block. A listener that throws is logged and does not
 * keep the others from running.
 *
 * <p>Failure: {@link #start()} fails when the initial read does not finish within the start
 * timeout. While the ZooKeeper connection is suspended or lost the view keeps the last instances it
 * saw (a dead node is then only found by calls to it failing); Curator's cache catches up after the
 * reconnect.
 */
public final class LiveNodes implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(LiveNodes.class);

    private final String serviceName;
    private final long startTimeoutMillis;
    private final ServiceDiscovery<NodeDetails> discovery;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final CacheListener cacheListener = new CacheListener();
    private volatile ServiceCache<NodeDetails> cache;
    private boolean stopped; // guarded by this
    private volatile List<ServiceInstance<NodeDetails>> snapshot = List.of();

    /**
     * @param basePath discovery base path, {@code ZkPaths#discovery()}
     * @param serviceName e.g. {@code ZkPaths.SERVICE_MESSAGE}
     * @param startTimeoutMillis how long {@link #start()} waits for the first read
     */
    public LiveNodes(
            CuratorFramework client, String basePath, String serviceName, long startTimeoutMillis) {
        this.serviceName = serviceName;
        this.startTimeoutMillis = startTimeoutMillis;
        this.discovery = NodeDiscovery.open(client, basePath);
    }

    public String serviceName() {
        return serviceName;
    }

    /**
     * The instances registered now, sorted by instance id; an immutable snapshot (empty before
     * start).
     */
    public List<ServiceInstance<NodeDetails>> instances() {
        return snapshot;
    }

    /**
     * Runs {@code listener} after every change of {@link #instances()}, and once at {@link
     * #start()} with the initial set. See the class comment for the thread it runs on.
     */
    public void addListener(Runnable listener) {
        listeners.add(listener);
    }

    public void removeListener(Runnable listener) {
        listeners.remove(listener);
    }

    @Override
    public void start() throws Exception {
        discovery.start();
        ServiceCache<NodeDetails> started =
                discovery.serviceCacheBuilder().name(serviceName).build();
        started.addListener(cacheListener);
        CountDownLatch loaded = started.startImmediate();
        cache = started;
        if (!loaded.await(startTimeoutMillis, TimeUnit.MILLISECONDS)) {
            stop();
            throw new IllegalStateException(
                    "instances of service '"
                            + serviceName
                            + "' not read from ZooKeeper within "
                            + startTimeoutMillis
                            + " ms");
        }
        // The cache reports no changes before its first read completes: take that read here.
        refresh(true);
        LOG.info("Following service '{}': {}", serviceName, ids(snapshot));
    }

    @Override
    public void stop() throws Exception {
        ServiceCache<NodeDetails> started;
        synchronized (this) {
            if (stopped) {
                return;
            }
            stopped = true;
            started = cache;
            cache = null;
            snapshot = List.of();
        }
        try {
            if (started != null) {
                started.close();
            }
        } finally {
            discovery.close();
        }
    }

    /**
     * Re-reads the cache (memory only) and tells listeners when the set changed, or always on
     * start. Synchronized so the start thread and the cache's event thread never publish snapshots
     * out of order.
     */
    private synchronized void refresh(boolean initial) {
        ServiceCache<NodeDetails> current = cache;
        if (current == null) {
            return; // stopped
        }
        List<ServiceInstance<NodeDetails>> instances = new ArrayList<>(current.getInstances());
        instances.sort(Comparator.comparing(ServiceInstance::getId));
        List<ServiceInstance<NodeDetails>> next = List.copyOf(instances);
        if (!initial && next.equals(snapshot)) {
            return; // e.g. a registration rewritten unchanged after a reconnect
        }
        snapshot = next;
        if (!initial) {
            LOG.info("Service '{}' instances now {}", serviceName, ids(next));
        }
        for (Runnable listener : listeners) {
            try {
                listener.run();
            } catch (RuntimeException e) {
                LOG.error("Listener of service '{}' failed", serviceName, e);
            }
        }
    }

    private static List<String> ids(List<ServiceInstance<NodeDetails>> instances) {
        return instances.stream().map(ServiceInstance::getId).toList();
    }

    private final class CacheListener implements ServiceCacheListener {
        @Override
        public void cacheChanged() {
            refresh(false);
        }

        @Override
        public void stateChanged(CuratorFramework client, ConnectionState newState) {
            if (newState == ConnectionState.SUSPENDED || newState == ConnectionState.LOST) {
                LOG.warn(
                        "ZooKeeper connection {}: service '{}' view frozen at {}",
                        newState,
                        serviceName,
                        ids(snapshot));
            } else if (newState == ConnectionState.RECONNECTED) {
                LOG.info(
                        "ZooKeeper connection {}: service '{}' view resumes",
                        newState,
                        serviceName);
            }
        }
    }
}
