package io.pushbase.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pushbase.schema.ZkPaths;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.KillSession;
import org.apache.curator.test.TestingServer;
import org.apache.curator.utils.ZKPaths;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.zookeeper.data.Stat;
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
        NodeRegistration registration = register(8070, details);

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
        register(8071);
        awaitInstances(list -> list.size() == 1);

        // A hard death: the node's client goes away without deregistering.
        curator.client().close();
        assertThat(awaitInstances(Collection::isEmpty)).isEmpty();
    }

    @Test
    void aDisconnectionTheSessionSurvivesLeavesTheRegistrationUntouched() throws Exception {
        NodeRegistration registration = register(8072);
        awaitInstances(list -> list.size() == 1);
        Stat before = observerClient.checkExists().forPath(instancePath(registration));
        long session = curator.client().getZookeeperClient().getZooKeeper().getSessionId();
        assertThat(before.getEphemeralOwner()).isEqualTo(session);
        // Added after the registration's own listener: Curator calls listeners one at a time in
        // that order, so when this one sees RECONNECTED the registration has handled it.
        CountDownLatch reconnected = new CountDownLatch(1);
        curator.client()
                .getConnectionStateListenable()
                .addListener(
                        (client, state) -> {
                            if (state == ConnectionState.RECONNECTED) {
                                reconnected.countDown();
                            }
                        });

        zk.restart(); // the server goes away and comes back with its data: sessions survive
        assertThat(reconnected.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(curator.client().getZookeeperClient().getZooKeeper().getSessionId())
                .isEqualTo(session);

        observerClient.blockUntilConnected(30, TimeUnit.SECONDS);
        Stat after = observerClient.checkExists().forPath(instancePath(registration));
        // The same znode: never deleted and created again (peers would have seen it vanish).
        assertThat(after).isNotNull();
        assertThat(after.getCzxid()).isEqualTo(before.getCzxid());
        assertThat(after.getEphemeralOwner()).isEqualTo(session);
        registration.stop();
    }

    @Test
    void afterItsSessionExpiresTheNodeRegistersAgainWithTheNewSession() throws Exception {
        NodeRegistration registration = register(8073);
        awaitInstances(list -> list.size() == 1);
        long oldSession = curator.client().getZookeeperClient().getZooKeeper().getSessionId();

        KillSession.kill(curator.client().getZookeeperClient().getZooKeeper());

        long deadline = System.currentTimeMillis() + 30_000;
        Stat stat = null;
        while (System.currentTimeMillis() < deadline) {
            stat = observerClient.checkExists().forPath(instancePath(registration));
            if (stat != null && stat.getEphemeralOwner() != oldSession) {
                break;
            }
            Thread.sleep(50);
        }
        assertThat(stat).as("registration after the session expired").isNotNull();
        assertThat(stat.getEphemeralOwner())
                .isNotEqualTo(oldSession)
                .isEqualTo(curator.client().getZookeeperClient().getZooKeeper().getSessionId());
        assertThat(awaitInstances(list -> list.size() == 1)).hasSize(1);

        registration.stop();
        assertThat(awaitInstances(Collection::isEmpty)).isEmpty();
    }

    /** Where Curator's discovery reads an instance: {@code <base>/<service>/<id>}. */
    private String instancePath(NodeRegistration registration) {
        return ZKPaths.makePath(
                paths.discovery(), ZkPaths.SERVICE_MESSAGE, registration.instanceId());
    }

    private NodeRegistration register(int port) throws Exception {
        return register(port, new NodeDetails("msg-" + port, 1, Map.of()));
    }

    /** A message node registered (started) at {@code 127.0.0.1:port}. */
    private NodeRegistration register(int port, NodeDetails details) throws Exception {
        NodeRegistration registration =
                new NodeRegistration(
                        curator.client(),
                        paths.discovery(),
                        ZkPaths.SERVICE_MESSAGE,
                        "127.0.0.1",
                        port,
                        details);
        registration.start();
        return registration;
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
        // docs/DEPENDENCIES.md pitfall 9: discovery can lag a moment; poll until the set settles.
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
