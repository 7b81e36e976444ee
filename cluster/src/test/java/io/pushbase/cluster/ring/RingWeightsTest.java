package io.pushbase.cluster.ring;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushbase.cluster.NodeDetails;
import java.util.List;
import java.util.Map;
import org.apache.curator.x.discovery.ServiceInstance;
import org.junit.jupiter.api.Test;

class RingWeightsTest {
    @Test
    void registrationsCountOncePerNodeNameAndWeightsNoRingCanTakeAreLeftOut() throws Exception {
        List<ServiceInstance<NodeDetails>> instances =
                List.of(
                        instance("127.0.0.1:7001", new NodeDetails("a", 2, Map.of())),
                        instance("127.0.0.1:7002", new NodeDetails("a", 5, Map.of())),
                        instance("127.0.0.1:7003", new NodeDetails("b", 0, Map.of())),
                        instance("127.0.0.1:7004", new NodeDetails("c", 1, Map.of())),
                        instance("127.0.0.1:7005", new NodeDetails("d", 1001, Map.of())),
                        instance("127.0.0.1:7006", new NodeDetails("", 1, Map.of())));

        assertThat(RingWeights.of(instances)).isEqualTo(Map.of("a", 2, "c", 1));
    }

    private static ServiceInstance<NodeDetails> instance(String id, NodeDetails details)
            throws Exception {
        return ServiceInstance.<NodeDetails>builder()
                .name("comet")
                .id(id)
                .address("127.0.0.1")
                .port(7000)
                .payload(details)
                .build();
    }
}
