package io.pushbase.web.comet;

import io.pushbase.cluster.NodeDetails;
import io.pushbase.cluster.discovery.LiveNodes;
import io.pushbase.cluster.ring.HashRing;
import io.pushbase.cluster.ring.RingWeights;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.curator.x.discovery.ServiceInstance;

/**
 * Which comet owns a key: the weighted ring over the live comets, built by the same rule the comets
 * use ({@link RingWeights}), so a lookup here names the comet that accepts the key. Kept current by
 * the comet service's discovery watch ({@link LiveNodes}); a lookup reads memory only.
 *
 * <p>Threading: lookups are lock-free reads of an immutable snapshot, swapped on the discovery
 * event thread after every change; listeners run there afterwards. Ownership: borrows the {@link
 * LiveNodes} (start it after constructing this, stop it before).
 */
public final class CometDirectory implements CometOwners {
    /** One live comet node as registered: its node name, instance id and addresses. */
    public record CometNode(String nodeName, String instanceId, NodeDetails details) {
        /** The address registered for {@code protocol} ({@code tcp}, {@code ws}, {@code grpc}). */
        public Optional<String> address(String protocol) {
            return Optional.ofNullable(details.getAddresses().get(protocol));
        }
    }

    private record View(HashRing ring, Map<String, CometNode> byName) {}

    private final LiveNodes comets;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private volatile View view = new View(HashRing.empty(), Map.of());

    /** Follows {@code comets} (the comet service) from its start on. */
    public CometDirectory(LiveNodes comets) {
        this.comets = comets;
        comets.addListener(this::refresh);
    }

    /** The comet that owns {@code key} now, or empty when no comet is live. */
    @Override
    public Optional<CometNode> ownerOf(String key) {
        View v = view;
        return v.ring().nodeFor(key).map(v.byName()::get);
    }

    /** Every live comet on the ring, one per node name, by node name. */
    public List<CometNode> nodes() {
        return List.copyOf(view.byName().values());
    }

    /**
     * Every registered comet instance, by instance id, including a second instance of a node name
     * during a handover and registrations the ring leaves out (no usable weight); instances without
     * details are skipped. Reads memory only.
     */
    public List<CometNode> instances() {
        return comets.instances().stream()
                .filter(i -> i.getPayload() != null)
                .map(i -> new CometNode(i.getPayload().getNodeName(), i.getId(), i.getPayload()))
                .toList();
    }

    /** The ring's weights by node name (for the cluster view and logs). */
    public Map<String, Integer> weights() {
        return view.ring().weights();
    }

    /** Runs {@code listener} after every change of the ring (on the discovery event thread). */
    public void addListener(Runnable listener) {
        listeners.add(listener);
    }

    private void refresh() {
        List<ServiceInstance<NodeDetails>> instances = comets.instances();
        Map<String, Integer> weights = RingWeights.of(instances);
        Map<String, CometNode> byName = new TreeMap<>(); // by node name
        for (ServiceInstance<NodeDetails> instance : instances) {
            NodeDetails details = instance.getPayload();
            // The instance that decided the node's weight (the first by id) is the one routed to.
            if (details != null && weights.containsKey(details.getNodeName())) {
                byName.putIfAbsent(
                        details.getNodeName(),
                        new CometNode(details.getNodeName(), instance.getId(), details));
            }
        }
        view = new View(HashRing.of(weights), Collections.unmodifiableMap(byName));
        for (Runnable listener : listeners) {
            listener.run();
        }
    }
}
