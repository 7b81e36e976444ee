package io.pushbase.cluster.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pushbase.cluster.CuratorLifecycle;
import io.pushbase.cluster.NodeDetails;
import io.pushbase.cluster.NodeRegistration;
import io.pushbase.cluster.ZooKeeperConfiguration;
import io.pushbase.schema.ZkPaths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.curator.test.TestingServer;
import org.apache.curator.x.discovery.ServiceInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LiveNodesTest {
    private final ZkPaths paths = ZkPaths.under("/pushbase-test");
    private final List<NodeRegistration> registrations = new ArrayList<>();
    private TestingServer zk;
    private CuratorLifecycle curator;
    private LiveNodes live;

    @BeforeEach
    void startZooKeeper() throws Exception {
        zk = new TestingServer(true);
        ZooKeeperConfiguration config = new ZooKeeperConfiguration();
        config.setConnectString(zk.getConnectString());
        config.setRoot(paths.root());
        curator = config.build();
        curator.start();
        live = new LiveNodes(curator.client(), paths.discovery(), ZkPaths.SERVICE_MESSAGE, 10_000);
    }

    @AfterEach
    void stopZooKeeper() throws Exception {
        live.stop();
        for (NodeRegistration registration : registrations) {
            registration.stop();
        }
        curator.stop();
        zk.close();
    }

    private NodeRegistration register(String service, String name, int port) throws Exception {
        NodeRegistration registration =
                new NodeRegistration(
                        curator.client(),
                        paths.discovery(),
                        service,
                        "127.0.0.1",
                        port,
                        new NodeDetails(name, 1, Map.of("grpc", "127.0.0.1:" + port)));
        registration.start();
        registrations.add(registration);
        return registration;
    }

    private static List<String> ids(List<ServiceInstance<NodeDetails>> instances) {
        return instances.stream().map(ServiceInstance::getId).toList();
    }

    @Test
    void instancesRegisteredBeforeStartAreThereWhenStartReturns() throws Exception {
        register(ZkPaths.SERVICE_MESSAGE, "msg-b", 9002);
        register(ZkPaths.SERVICE_MESSAGE, "msg-a", 9001);

        live.start();

        assertThat(ids(live.instances())).containsExactly("127.0.0.1:9001", "127.0.0.1:9002");
        assertThat(live.instances().get(0).getPayload().getNodeName()).isEqualTo("msg-a");
    }

    @Test
    void nodesJoiningAndLeavingReachTheSnapshotAndTheListeners() throws Exception {
        AtomicInteger changes = new AtomicInteger();
        live.addListener(changes::incrementAndGet);
        live.start();
        assertThat(live.instances()).isEmpty();
        assertThat(changes).as("called once at start").hasValue(1);

        NodeRegistration node = register(ZkPaths.SERVICE_MESSAGE, "msg-1", 9001);
        await(() -> live.instances().size() == 1);
        await(() -> changes.get() >= 2);

        node.stop();
        registrations.remove(node);
        await(() -> live.instances().isEmpty());
        await(() -> changes.get() >= 3);
    }

    @Test
    void onlyTheFollowedServiceIsSeen() throws Exception {
        register(ZkPaths.SERVICE_COMET, "comet-1", 9101);
        register(ZkPaths.SERVICE_MESSAGE, "msg-1", 9001);
        live.start();

        assertThat(ids(live.instances())).containsExactly("127.0.0.1:9001");
    }

    @Test
    void theSnapshotIsImmutable() throws Exception {
        register(ZkPaths.SERVICE_MESSAGE, "msg-1", 9001);
        live.start();

        assertThatThrownBy(() -> live.instances().clear())
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aListenerThatThrowsDoesNotKeepTheOthersFromRunning() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        live.addListener(
                () -> {
                    throw new IllegalStateException("broken listener");
                });
        live.addListener(calls::incrementAndGet);
        live.start();
        register(ZkPaths.SERVICE_MESSAGE, "msg-1", 9001);

        await(() -> calls.get() >= 2);
    }

    @Test
    void aRemovedListenerIsNotCalledAgain() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        Runnable listener = calls::incrementAndGet;
        live.addListener(listener);
        live.start();
        live.removeListener(listener);
        register(ZkPaths.SERVICE_MESSAGE, "msg-1", 9001);

        await(() -> live.instances().size() == 1);
        assertThat(calls).hasValue(1);
    }

    @Test
    void stopEmptiesTheView() throws Exception {
        register(ZkPaths.SERVICE_MESSAGE, "msg-1", 9001);
        live.start();
        assertThat(live.instances()).hasSize(1);

        live.stop();
        assertThat(live.instances()).isEmpty();
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        // docs/DEPENDENCIES.md pitfall 9: discovery events arrive a moment later; poll, bounded.
        long deadline = System.currentTimeMillis() + 20_000;
        while (!condition.getAsBoolean() && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertThat(condition.getAsBoolean()).as("condition within 20 s").isTrue();
    }
}
