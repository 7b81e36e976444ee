package io.pushbase.comet.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.util.Duration;
import io.pushbase.cluster.CuratorLifecycle;
import io.pushbase.cluster.NodeDetails;
import io.pushbase.cluster.ZooKeeperConfiguration;
import io.pushbase.schema.ZkPaths;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.KillSession;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

/** Real ZooKeeper for the cluster-role tests, with short timeouts so failures show up fast. */
final class ZooKeeperTesting {
    static final ZkPaths PATHS = ZkPaths.under("/pushbase-test");

    /** Short enough to keep the tests quick, long enough to ride out a server restart. */
    static final int SESSION_TIMEOUT_MILLIS = 3_000;

    /** The server checks sessions every tick; a short tick expires them on time. */
    private static final int TICK_MILLIS = 250;

    private static final long AWAIT_MILLIS = 15_000;

    private ZooKeeperTesting() {}

    /**
     * A started single ZooKeeper server on a free port; restartable with the same port and data.
     */
    static TestingServer zooKeeper() throws Exception {
        return new TestingServer(
                new InstanceSpec(null, -1, -1, -1, true, -1, TICK_MILLIS, -1), true);
    }

    /** A started, connected Curator client with a {@value #SESSION_TIMEOUT_MILLIS} ms session. */
    static CuratorLifecycle curator(TestingServer zk) throws Exception {
        ZooKeeperConfiguration config = new ZooKeeperConfiguration();
        config.setConnectString(zk.getConnectString());
        config.setRoot(PATHS.root());
        config.setSessionTimeout(Duration.milliseconds(SESSION_TIMEOUT_MILLIS));
        config.setConnectionTimeout(Duration.seconds(2));
        CuratorLifecycle curator = config.build();
        curator.start();
        return curator;
    }

    static NodeDetails details(String nodeName, int weight, int grpcPort) {
        return new NodeDetails(
                nodeName,
                weight,
                Map.of(
                        "tcp", "127.0.0.1:" + (grpcPort + 100),
                        "ws", "127.0.0.1:" + (grpcPort + 200),
                        "grpc", "127.0.0.1:" + grpcPort,
                        "admin", "127.0.0.1:" + (grpcPort + 300)));
    }

    static long sessionId(CuratorFramework client) throws Exception {
        return client.getZookeeperClient().getZooKeeper().getSessionId();
    }

    /**
     * Expires the client's session on the server, as a server does when a partitioned client's
     * session times out: a second handle joins the session and closes it. The server deletes the
     * session's ephemeral znodes at once; the client learns of it when it reconnects.
     */
    static void expireOnServer(CuratorFramework client, TestingServer zk) throws Exception {
        ZooKeeper handle = client.getZookeeperClient().getZooKeeper();
        CountDownLatch joined = new CountDownLatch(1);
        ZooKeeper twin =
                new ZooKeeper(
                        zk.getConnectString(),
                        SESSION_TIMEOUT_MILLIS,
                        event -> {
                            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                                joined.countDown();
                            }
                        },
                        handle.getSessionId(),
                        handle.getSessionPasswd());
        try {
            assertThat(joined.await(AWAIT_MILLIS, TimeUnit.MILLISECONDS))
                    .as("second handle joined the session")
                    .isTrue();
        } finally {
            twin.close(); // closes the session for both handles
        }
    }

    /**
     * Expires the session on the client's side (ZooKeeper's test hook, what Curator itself does
     * after a session timeout spent {@code SUSPENDED}): the client gets {@code Expired}, Curator
     * reports {@code LOST} and opens a new session.
     */
    static void expireOnClientOnly(CuratorFramework client) throws Exception {
        KillSession.kill(client.getZookeeperClient().getZooKeeper());
    }

    /**
     * Polls {@code condition} until it holds (docs/DEPENDENCIES.md pitfall 9); fails after 15 s,
     * printing every thread's stack.
     */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + AWAIT_MILLIS;
        while (!condition.getAsBoolean() && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        if (!condition.getAsBoolean()) {
            // The usual cause is a thread stuck in a ZooKeeper call: show where every thread is.
            Thread.getAllStackTraces()
                    .forEach(
                            (t, stack) -> {
                                System.out.println("THREAD " + t.getName() + " " + t.getState());
                                for (StackTraceElement e : stack) {
                                    System.out.println("    at " + e);
                                }
                            });
        }
        assertThat(condition.getAsBoolean()).as(what + " within " + AWAIT_MILLIS + " ms").isTrue();
    }
}
