package io.pushbase.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pushbase.schema.ZkPaths;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NodeRegistrationTest {
    private TestingServer zk;
    private CuratorLifecycle curator;
    private CuratorFramework observerClient;
    private ServiceDiscovery<NodeDetails> observer;
    private final ZkPaths paths = ZkPaths.under("/pushbase-test");

    @BeforeEach
    void startZooKeeper() throws Exception {
        zk = new TestingServer(true);
        ZooKeeperConfiguration config = new ZooKeeperConfiguration();
        config.setConnectString(zk.getConnectString());
        config.setRoot(paths.root());
        curator = config.build();
        curator.start();
        observerClient =
                CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100));
        observerClient.start();
        observer = NodeDiscovery.open(observerClient, paths.discovery());
        observer.start();
    }

    @AfterEach
    void stopZooKeeper() throws Exception {
        observer.close();
        observerClient.close();
        curator.stop();
        zk.close();
    }

    @Test
    void registeredNodeIsVisibleWithItsDetailsAndGoneAfterStop() throws Exception {
        NodeDetails details = new NodeDetails("msg-1", 3, Map.of("grpc", "127.0.0.1:8070"));
        NodeRegistration registration =
                new NodeRegistration(
                        curator.client(),
                        paths.discovery(),
                        ZkPaths.SERVICE_MESSAGE,
                        "127.0.0.1",
                        8070,
                        details);
        registration.start();

        Collection<ServiceInstance<NodeDetails>> seen = awaitInstances(list -> list.size() == 1);
        ServiceInstance<NodeDetails> instance = seen.iterator().next();
        assertThat(instance.getId()).isEqualTo("127.0.0.1:8070");
        assertThat(instance.getAddress()).isEqualTo("127.0.0.1");
        assertThat(instance.getPort()).isEqualTo(8070);
        assertThat(instance.getPayload()).isEqualTo(details);

        registration.stop();
        assertThat(awaitInstances(Collection::isEmpty)).isEmpty();
    }

    @Test
    void registrationVanishesWhenTheNodesSessionEnds() throws Exception {
        NodeRegistration registration =
                new NodeRegistration(
                        curator.client(),
                        paths.discovery(),
                        ZkPaths.SERVICE_MESSAGE,
                        "127.0.0.1",
                        8071,
                        new NodeDetails("msg-2", 1, Map.of()));
        registration.start();
        awaitInstances(list -> list.size() == 1);

        // A hard death: the node's client goes away without deregistering.
        curator.client().close();
        assertThat(awaitInstances(Collection::isEmpty)).isEmpty();
    }

    @Test
    void healthCheckReadsZooKeeperAndReportsALostConnection() throws Exception {
        ZooKeeperHealthCheck check = new ZooKeeperHealthCheck(curator.client(), paths.root());
        assertThat(check.execute().isHealthy()).isTrue();

        zk.stop();
        long deadline = System.currentTimeMillis() + 20_000;
        while (check.execute().isHealthy() && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertThat(check.execute().isHealthy()).isFalse();
        assertThat(check.execute().getMessage()).contains("not connected");
    }

    @Test
    void startFailsWithAClearMessageWhenZooKeeperIsUnreachable() throws Exception {
        ZooKeeperConfiguration config = new ZooKeeperConfiguration();
        config.setConnectString("127.0.0.1:1"); // nothing listens on port 1
        config.setConnectionTimeout(io.dropwizard.util.Duration.milliseconds(500));
        CuratorLifecycle unreachable = config.build();
        assertThatThrownBy(unreachable::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("127.0.0.1:1")
                .hasMessageContaining("not reachable");
    }

    @Test
    void rootMustBeAnAbsolutePath() {
        assertThatThrownBy(() -> ZkPaths.under("pushbase"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ZkPaths.under("/pushbase/"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private Collection<ServiceInstance<NodeDetails>> awaitInstances(
            Predicate<Collection<ServiceInstance<NodeDetails>>> done) throws Exception {
        // VERSIONS.md pitfall 9: discovery can lag a moment; poll until the set settles.
        long deadline = System.currentTimeMillis() + 20_000;
        Collection<ServiceInstance<NodeDetails>> seen = List.of();
        while (System.currentTimeMillis() < deadline) {
            seen = observer.queryForInstances(ZkPaths.SERVICE_MESSAGE);
            if (done.test(seen)) {
                return seen;
            }
            Thread.sleep(50);
        }
        return seen;
    }
}
