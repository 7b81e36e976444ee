package io.pushbase.cluster.ring;

import io.pushbase.cluster.NodeDetails;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.curator.x.discovery.ServiceInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one rule that turns comet registrations into the ring's input, so that comets and web nodes
 * build the identical {@link HashRing} from the same view: {@code nodeName -> weight}, one entry
 * per node name (the first instance by id decides; {@code LiveNodes#instances()} is sorted by id),
 * and registrations with no node name or a weight outside {@code 1..}{@value HashRing#MAX_WEIGHT}
 * left out with a warning. Stateless.
 */
public final class RingWeights {
    private static final Logger LOG = LoggerFactory.getLogger(RingWeights.class);

    private RingWeights() {}

    /** The ring's weights from {@code instances} (sorted by instance id). */
    public static Map<String, Integer> of(List<ServiceInstance<NodeDetails>> instances) {
        Map<String, Integer> weights = new TreeMap<>();
        for (ServiceInstance<NodeDetails> instance : instances) {
            NodeDetails details = instance.getPayload();
            if (details == null
                    || details.getNodeName().isEmpty()
                    || details.getWeight() < 1
                    || details.getWeight() > HashRing.MAX_WEIGHT) {
                LOG.warn(
                        "Comet registration {} left out of the ring: {}",
                        instance.getId(),
                        details);
                continue;
            }
            weights.putIfAbsent(details.getNodeName(), details.getWeight());
        }
        return weights;
    }
}
