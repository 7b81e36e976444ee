package io.pushbase.cluster.grpc;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * YAML block {@code grpc:} of a node (message or comet): where its gRPC server listens, the address
 * and weight it advertises in service discovery, and how long stop drains calls.
 */
public class GrpcConfiguration {
    @NotEmpty private String bindHost = "0.0.0.0";

    @Min(0)
    @Max(65535)
    private int port = 8070;

    /** Host peers connect to; default: bindHost, or this machine's address for 0.0.0.0. */
    private String advertiseHost;

    /** Relative share of load (message nodes) or of keys on the ring (comets) this node takes. */
    @Min(1)
    @Max(1000)
    private int weight = 1;

    @NotNull private Duration drainTimeout = Duration.seconds(5);

    @JsonProperty
    public String getBindHost() {
        return bindHost;
    }

    @JsonProperty
    public void setBindHost(String bindHost) {
        this.bindHost = bindHost;
    }

    @JsonProperty
    public int getPort() {
        return port;
    }

    @JsonProperty
    public void setPort(int port) {
        this.port = port;
    }

    @JsonProperty
    public String getAdvertiseHost() {
        return advertiseHost;
    }

    @JsonProperty
    public void setAdvertiseHost(String advertiseHost) {
        this.advertiseHost = advertiseHost;
    }

    @JsonProperty
    public int getWeight() {
        return weight;
    }

    @JsonProperty
    public void setWeight(int weight) {
        this.weight = weight;
    }

    @JsonProperty
    public Duration getDrainTimeout() {
        return drainTimeout;
    }

    @JsonProperty
    public void setDrainTimeout(Duration drainTimeout) {
        this.drainTimeout = drainTimeout;
    }

    /** The host to publish in service discovery. */
    public String resolveAdvertiseHost() {
        if (advertiseHost != null && !advertiseHost.isBlank()) {
            return advertiseHost;
        }
        if (!"0.0.0.0".equals(bindHost) && !"::".equals(bindHost)) {
            return bindHost;
        }
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) {
            return "127.0.0.1";
        }
    }
}
