package io.pushbase.cluster;

import io.dropwizard.lifecycle.Managed;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the node's one Curator client: starts it and waits for the first connection, closes it on
 * stop. Everything else that needs ZooKeeper borrows {@link #client()} and must be stopped before
 * this (Dropwizard stops managed objects in reverse order).
 *
 * <p>Failure: {@link #start()} throws when ZooKeeper is not reachable within the connection
 * timeout, so a node with a wrong {@code connectString} fails at start with a clear message instead
 * of running unregistered.
 */
public final class CuratorLifecycle implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(CuratorLifecycle.class);

    private final CuratorFramework client;
    private final long connectTimeoutMillis;

    public CuratorLifecycle(CuratorFramework client, long connectTimeoutMillis) {
        this.client = client;
        this.connectTimeoutMillis = connectTimeoutMillis;
    }

    public CuratorFramework client() {
        return client;
    }

    @Override
    public void start() throws InterruptedException {
        client.start();
        if (!client.blockUntilConnected((int) connectTimeoutMillis, TimeUnit.MILLISECONDS)) {
            client.close();
            throw new IllegalStateException(
                    "ZooKeeper at "
                            + client.getZookeeperClient().getCurrentConnectionString()
                            + " not reachable within "
                            + connectTimeoutMillis
                            + " ms");
        }
        LOG.info(
                "Connected to ZooKeeper at {}",
                client.getZookeeperClient().getCurrentConnectionString());
    }

    @Override
    public void stop() {
        client.close();
    }
}
