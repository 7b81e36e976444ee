package io.pushbase.comet.cluster;

import static io.pushbase.comet.cluster.ZooKeeperTesting.PATHS;
import static io.pushbase.comet.cluster.ZooKeeperTesting.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pushbase.cluster.CuratorLifecycle;
import io.pushbase.cluster.NodeRegistration;
import io.pushbase.cluster.discovery.LiveNodes;
import io.pushbase.cluster.ring.HashRing;
import io.pushbase.comet.channel.KeyChannels;
import io.pushbase.comet.cluster.CometLeadership.Role;
import io.pushbase.comet.subscription.ChannelSubscriber;
import io.pushbase.comet.subscription.Subscription;
import io.pushbase.schema.ZkPaths;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RingOwnershipTest {
    private static final String ME = "comet-1";
    private static final Map<String, Integer> THREE = Map.of(ME, 1, "comet-2", 2, "comet-3", 3);
    private static final Map<String, Integer> FOUR =
            Map.of(ME, 1, "comet-2", 2, "comet-3", 3, "comet-4", 2);
    private static final List<String> KEYS =
            IntStream.range(0, 3_000).mapToObj(i -> "user-" + i).toList();

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final MetricRegistry metrics = new MetricRegistry();
    private final KeyChannels channels = new KeyChannels(4, metrics);
    private final Map<String, EmbeddedChannel> connections = new LinkedHashMap<>();
    private TestingServer zk;
    private CuratorLifecycle curator;
    private CuratorLifecycle others;
    private NodeRegistration comet2;
    private NodeRegistration comet3;
    private CometLeadership leadership;
    private RingOwnership ownership;
    private final List<Role> roles = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startThisCometAndTwoOthers() throws Exception {
        zk = ZooKeeperTesting.zooKeeper();
        curator = ZooKeeperTesting.curator(zk);
        started.push(curator::stop);
        others = ZooKeeperTesting.curator(zk);
        started.push(others::stop);

        leadership = leadership(curator, 7001);
        leadership.addListener(roles::add);
        ownership = ownership(curator, leadership, channels, metrics);

        comet2 = register("comet-2", 2, 7002);
        comet3 = register("comet-3", 3, 7003);
        await("this comet leads", leadership::isActive);
        await("the ring has three nodes", () -> ownership.ring().weights().equals(THREE));
    }

    @AfterEach
    void stopEverything() throws Exception {
        connections.values().forEach(EmbeddedChannel::close);
        while (!started.isEmpty()) {
            started.pop().close(); // reverse order of start
        }
        zk.close();
    }

    private CometLeadership leadership(CuratorLifecycle client, int grpcPort) {
        CometLeadership l =
                new CometLeadership(
                        client.client(),
                        PATHS,
                        "127.0.0.1",
                        grpcPort,
                        ZooKeeperTesting.details(ME, 1, grpcPort));
        l.start();
        started.push(l::stop);
        return l;
    }

    /** Started in the node's order: leadership, then the live view, then ownership. */
    private RingOwnership ownership(
            CuratorLifecycle client,
            CometLeadership l,
            KeyChannels registry,
            MetricRegistry registryMetrics)
            throws Exception {
        LiveNodes comets =
                new LiveNodes(client.client(), PATHS.discovery(), ZkPaths.SERVICE_COMET, 10_000);
        comets.start();
        started.push(comets::stop);
        RingOwnership o = new RingOwnership(l, comets, registry, registryMetrics);
        o.start();
        started.push(o::stop);
        return o;
    }

    private NodeRegistration register(String nodeName, int weight, int grpcPort) throws Exception {
        NodeRegistration registration =
                new NodeRegistration(
                        others.client(),
                        PATHS.discovery(),
                        ZkPaths.SERVICE_COMET,
                        "127.0.0.1",
                        grpcPort,
                        ZooKeeperTesting.details(nodeName, weight, grpcPort));
        registration.start();
        started.push(registration::stop);
        return registration;
    }

    private static String ownerIn(Map<String, Integer> weights, String key) {
        return HashRing.of(weights).nodeFor(key).orElseThrow();
    }

    /** Subscribes one connection to each key, as the gate would for keys this comet owns. */
    private void connect(List<String> keys) {
        for (String key : keys) {
            EmbeddedChannel channel = new EmbeddedChannel();
            ChannelSubscriber subscriber =
                    new ChannelSubscriber(
                            channel,
                            new Subscription(key, 30, "", ""),
                            120,
                            metrics.counter("slow"));
            assertThat(channels.add(subscriber)).isTrue();
            connections.put(key, channel);
        }
    }

    private List<String> keysOwnedIn(Map<String, Integer> weights) {
        return KEYS.stream().filter(key -> ownerIn(weights, key).equals(ME)).toList();
    }

    @Test
    void ownsAgreesWithTheHashRingComputedIndependently() {
        HashRing expected = HashRing.of(THREE);
        int owned = 0;
        for (String key : KEYS) {
            String owner = expected.nodeFor(key).orElseThrow();
            assertThat(ownership.ownerOf(key)).as(key).contains(owner);
            assertThat(ownership.owns(key)).as(key).isEqualTo(owner.equals(ME));
            owned += owner.equals(ME) ? 1 : 0;
        }
        // Weight 1 of 6: about a sixth of the keys.
        assertThat(owned).isBetween(KEYS.size() / 6 - 150, KEYS.size() / 6 + 150);
    }

    @Test
    void aFourthNodeClosesExactlyTheConnectionsOfTheKeysThatMoveToIt() throws Exception {
        List<String> mine = keysOwnedIn(THREE);
        connect(mine);
        List<String> moved = new ArrayList<>();
        for (String key : mine) {
            String newOwner = ownerIn(FOUR, key);
            assertThat(newOwner)
                    .as("consistent hashing moves keys only to the newcomer")
                    .isIn(ME, "comet-4");
            if (newOwner.equals("comet-4")) {
                moved.add(key);
            }
        }
        assertThat(moved).isNotEmpty().hasSizeLessThan(mine.size());

        register("comet-4", 2, 7004);
        await(
                "the moved keys' connections are closed",
                () -> metrics.counter("comet.migrate.closed").getCount() == moved.size());

        assertThat(ownership.ring().weights()).isEqualTo(FOUR);
        assertThat(channels.connectionCount()).isEqualTo(mine.size() - moved.size());
        for (String key : mine) {
            boolean stays = !moved.contains(key);
            assertThat(connections.get(key).isOpen()).as(key).isEqualTo(stays);
            assertThat(ownership.owns(key)).as(key).isEqualTo(stays);
        }
        assertThat(metrics.counter("comet.leadership.closed").getCount()).isZero();
    }

    @Test
    void aNodeLeavingClosesNothingAndItsKeysComeBackToTheirOldOwners() throws Exception {
        Map<String, Integer> five = new java.util.HashMap<>(THREE);
        five.put("comet-5", 3);
        NodeRegistration leaving = register("comet-5", 3, 7005);
        await("the ring has four nodes", () -> ownership.ring().weights().equals(five));
        List<String> mine = keysOwnedIn(five);
        connect(mine);
        long closedBefore = metrics.counter("comet.migrate.closed").getCount();

        leaving.stop();
        await("the ring has three nodes", () -> ownership.ring().weights().equals(THREE));

        assertThat(metrics.counter("comet.migrate.closed").getCount()).isEqualTo(closedBefore);
        assertThat(connections.values()).allMatch(EmbeddedChannel::isOpen);
        assertThat(keysOwnedIn(THREE)).containsAll(mine).allMatch(ownership::owns);
    }

    @Test
    void aLeaderThatLosesItsSessionClosesEveryConnectionAndOwnsNothingUntilReelected()
            throws Exception {
        List<String> mine = keysOwnedIn(THREE);
        connect(mine);

        ZooKeeperTesting.expireOnServer(curator.client(), zk);
        await("every connection is closed", () -> channels.connectionCount() == 0);
        assertThat(roles).contains(Role.LOST);
        assertThat(metrics.counter("comet.leadership.closed").getCount()).isEqualTo(mine.size());
        assertThat(connections.values()).noneMatch(EmbeddedChannel::isOpen);

        await("this comet leads again", leadership::isActive);
        await("the ring has three nodes", () -> ownership.ring().weights().equals(THREE));
        assertThat(mine).allMatch(ownership::owns);
    }

    @Test
    void aSuspendedLeaderKeepsItsConnectionsButOwnsNothingUntilItServesAgain() throws Exception {
        List<String> mine = keysOwnedIn(THREE);
        connect(mine);

        zk.stop();
        await("this comet owns nothing", () -> mine.stream().noneMatch(ownership::owns));
        assertThat(channels.connectionCount()).isEqualTo(mine.size());
        assertThat(ownership.ownerOf(mine.get(0))).as("the ring stays as it was").contains(ME);

        zk.restart();
        await("this comet owns its keys again", () -> mine.stream().allMatch(ownership::owns));
        assertThat(channels.connectionCount()).isEqualTo(mine.size());
        assertThat(connections.values()).allMatch(EmbeddedChannel::isOpen);
        assertThat(metrics.counter("comet.leadership.closed").getCount()).isZero();
        assertThat(metrics.counter("comet.migrate.closed").getCount()).isZero();
    }

    @Test
    void aStandbyOwnsNoKeyWhileItsNodeNameIsOnTheRing() throws Exception {
        CuratorLifecycle standbyCurator = ZooKeeperTesting.curator(zk);
        started.push(standbyCurator::stop);
        MetricRegistry standbyMetrics = new MetricRegistry();
        CometLeadership standby = leadership(standbyCurator, 7011);
        RingOwnership standbyOwnership =
                ownership(
                        standbyCurator,
                        standby,
                        new KeyChannels(4, standbyMetrics),
                        standbyMetrics);
        await("the standby stands by", () -> standby.role() == Role.STANDBY);
        await("the standby sees the ring", () -> standbyOwnership.ring().weights().equals(THREE));

        for (String key : KEYS) {
            assertThat(standbyOwnership.owns(key)).as(key).isFalse();
            assertThat(standbyOwnership.ownerOf(key)).isEqualTo(ownership.ownerOf(key));
        }
        assertThat(keysOwnedIn(THREE)).allMatch(ownership::owns);
    }

    @Test
    void withNoCometRegisteredNoKeyHasAnOwnerAndEveryConnectionIsClosed() throws Exception {
        List<String> mine = keysOwnedIn(THREE);
        connect(mine);

        leadership.stop();
        comet2.stop();
        comet3.stop();
        await("the ring is empty", () -> ownership.ring().isEmpty());

        assertThat(channels.connectionCount()).isZero();
        for (String key : KEYS.subList(0, 100)) {
            assertThat(ownership.owns(key)).isFalse();
            assertThat(ownership.ownerOf(key)).isEqualTo(Optional.empty());
        }
    }

    @Test
    void ownershipFollowsOnlyTheCometService() {
        LiveNodes messages =
                new LiveNodes(curator.client(), PATHS.discovery(), ZkPaths.SERVICE_MESSAGE, 10_000);
        assertThatThrownBy(() -> new RingOwnership(leadership, messages, channels, metrics))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(ZkPaths.SERVICE_MESSAGE);
    }
}
