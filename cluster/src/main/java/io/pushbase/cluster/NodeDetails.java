package io.pushbase.cluster;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import java.util.Objects;

/**
 * What a node publishes about itself in service discovery, besides its main address: its node name
 * (comets sharing one name form a leader/standby pair), its weight for load spreading and the hash
 * ring, and its addresses by protocol (e.g. {@code grpc}, {@code tcp}, {@code ws}, {@code admin}).
 *
 * <p>Immutable; serialised as JSON into the discovery znode.
 */
public final class NodeDetails {
    private final String nodeName;
    private final int weight;
    private final Map<String, String> addresses;

    @JsonCreator
    public NodeDetails(
            @JsonProperty("nodeName") String nodeName,
            @JsonProperty("weight") int weight,
            @JsonProperty("addresses") Map<String, String> addresses) {
        this.nodeName = Objects.requireNonNull(nodeName, "nodeName");
        this.weight = weight;
        this.addresses = addresses == null ? Map.of() : Map.copyOf(addresses);
    }

    @JsonProperty
    public String getNodeName() {
        return nodeName;
    }

    @JsonProperty
    public int getWeight() {
        return weight;
    }

    @JsonProperty
    public Map<String, String> getAddresses() {
        return addresses;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeDetails d
                && d.nodeName.equals(nodeName)
                && d.weight == weight
                && d.addresses.equals(addresses);
    }

    @Override
    public int hashCode() {
        return Objects.hash(nodeName, weight, addresses);
    }

    @Override
    public String toString() {
        return "NodeDetails{" + nodeName + ", weight=" + weight + ", " + addresses + "}";
    }
}
