package io.pushbase.cluster.message;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.pushbase.cluster.NodeDetails;
import io.pushbase.schema.ZkPaths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.curator.x.discovery.ServiceInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MessageNodePoolTest {
    private final List<ManagedChannel> opened = new ArrayList<>();
    private final MetricRegistry metrics = new MetricRegistry();
    // Channels connect lazily: none of these is asked to connect unless a test says so.
    private final MessageNodePool pool =
            new MessageNodePool(
                    (host, port) -> {
                        ManagedChannel channel =
                                NettyChannelBuilder.forAddress(host, port).usePlaintext().build();
                        opened.add(channel);
                        return channel;
                    },
                    id -> metrics.meter(ClientMetrics.nodeCallsName(id)));

    @AfterEach
    void closePool() throws Exception {
        pool.close(1_000);
        for (ManagedChannel channel : opened) {
            channel.shutdownNow();
        }
    }

    private static ServiceInstance<NodeDetails> instance(String name, int port, int weight) {
        try {
            return ServiceInstance.<NodeDetails>builder()
                    .name(ZkPaths.SERVICE_MESSAGE)
                    .id("127.0.0.1:" + port)
                    .address("127.0.0.1")
                    .port(port)
                    .payload(new NodeDetails(name, weight, Map.of()))
                    .build();
        } catch (Exception e) {
            throw new IllegalStateException(e); // the builder declares Exception, never throws here
        }
    }

    private String picks(int n, Set<String> excluded) {
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < n; i++) {
            names.append(pool.pick(excluded).name);
        }
        return names.toString();
    }

    @Test
    void picksFollowTheWeightsAndInterleaveTheHeavyNode() {
        List<ServiceInstance<NodeDetails>> live =
                List.of(instance("a", 1, 5), instance("b", 2, 1), instance("c", 3, 1));
        pool.update(() -> live);

        // nginx's smooth weighted round-robin: weights 5, 1, 1 pick a a b a c a a, every round.
        assertThat(picks(7, Set.of())).isEqualTo("aabacaa");
        assertThat(picks(7, Set.of())).isEqualTo("aabacaa");
    }

    @Test
    void excludedNodesAreSkippedAndNothingIsPickedWhenAllAre() {
        List<ServiceInstance<NodeDetails>> live = List.of(instance("a", 1, 1), instance("b", 2, 3));
        pool.update(() -> live);

        assertThat(picks(4, Set.of("127.0.0.1:2"))).isEqualTo("aaaa");
        assertThat(pool.pick(Set.of("127.0.0.1:1", "127.0.0.1:2"))).isNull();
    }

    @Test
    void anEmptyPoolPicksNothing() {
        assertThat(pool.pick(Set.of())).isNull();
    }

    @Test
    void aNodeWhoseChannelIsFailingIsPassedOverWhileAnotherRemains() throws Exception {
        // Port 1 refuses connections: its channel goes to TRANSIENT_FAILURE once asked to connect.
        List<ServiceInstance<NodeDetails>> live =
                List.of(instance("down", 1, 10), instance("up", 2, 1));
        pool.update(() -> live);
        MessageNode down = pool.nodes().get(0);
        down.channel.getState(true);
        long deadline = System.currentTimeMillis() + 10_000;
        while (!down.failing() && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        assertThat(down.channel.getState(false)).isEqualTo(ConnectivityState.TRANSIENT_FAILURE);

        assertThat(picks(5, Set.of())).isEqualTo("upupupupup");
        // With no healthy node left it is still tried: the failure may be over.
        assertThat(pool.pick(Set.of("127.0.0.1:2")).name).isEqualTo("down");
    }

    @Test
    void updateKeepsChannelsOfStayingNodesTakesNewWeightsAndClosesVanishedOnes() {
        pool.update(() -> List.of(instance("a", 1, 1), instance("b", 2, 1)));
        MessageNode a = pool.nodes().get(0);
        MessageNode b = pool.nodes().get(1);

        pool.update(() -> List.of(instance("b", 2, 4), instance("c", 3, 1)));

        assertThat(pool.nodes()).extracting(n -> n.name).containsExactly("b", "c");
        assertThat(pool.nodes().get(0)).isSameAs(b);
        assertThat(b.weight).isEqualTo(4);
        assertThat(b.channel.isShutdown()).isFalse();
        assertThat(a.channel.isShutdown()).isTrue();
    }

    @Test
    void aNodeWithoutAUsableWeightCountsAsWeightOne() {
        pool.update(() -> List.of(instance("zero", 1, 0), instance("one", 2, 1)));

        assertThat(pool.nodes()).extracting(n -> n.weight).containsExactly(1, 1);
    }

    @Test
    void closeShutsEveryChannelDownAndIgnoresLaterUpdates() throws Exception {
        pool.update(() -> List.of(instance("a", 1, 1)));
        MessageNode a = pool.nodes().get(0);

        pool.close(1_000);
        pool.update(() -> List.of(instance("b", 2, 1)));

        assertThat(a.channel.isTerminated()).isTrue();
        assertThat(pool.nodes()).isEmpty();
    }
}
