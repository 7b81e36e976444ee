package io.pushbase.cluster;

import com.codahale.metrics.health.HealthCheck;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.ZooKeeper;

/**
 * Healthy when the node's ZooKeeper session is connected and the Pushbase root answers a real read.
 * Runs on the health-check caller's thread; the read is not retried, so a lost connection reports
 * unhealthy at once.
 */
public final class ZooKeeperHealthCheck extends HealthCheck {
    private final CuratorFramework client;
    private final String root;

    public ZooKeeperHealthCheck(CuratorFramework client, String root) {
        this.client = client;
        this.root = root;
    }

    @Override
    protected Result check() throws Exception {
        if (!client.getZookeeperClient().isConnected()) {
            return Result.unhealthy(
                    "not connected to ZooKeeper at "
                            + client.getZookeeperClient().getCurrentConnectionString());
        }
        // The raw ZooKeeper handle, not client.checkExists(): a health check must answer
        // now, not after Curator's retry policy has run its course.
        ZooKeeper zk = client.getZookeeperClient().getZooKeeper();
        boolean rootExists = zk.exists(root, false) != null;
        return Result.healthy(
                "session 0x%x, root %s %s",
                zk.getSessionId(), root, rootExists ? "present" : "not created yet");
    }
}
