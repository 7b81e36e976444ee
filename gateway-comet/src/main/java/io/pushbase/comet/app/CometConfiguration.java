package io.pushbase.comet.app;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.pushbase.cluster.app.ClusterClientConfiguration;
import io.pushbase.cluster.grpc.GrpcConfiguration;
import io.pushbase.comet.server.CometServersConfiguration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/**
 * A comet's YAML configuration (example: {@code gateway-comet/comet.yml}). Validated at start;
 * {@code ${ENV_VAR:-default}} substitution applies to every value.
 */
public class CometConfiguration extends ClusterClientConfiguration {
    /** Comets sharing a node name form a leader/standby pair; the ring places keys by name. */
    @NotEmpty
    @Pattern(regexp = "[^/]+", message = "must not contain '/'")
    private String nodeName = "comet-1";

    @Valid @NotNull private CometServersConfiguration clients = new CometServersConfiguration();

    @Valid @NotNull private GrpcConfiguration grpc = defaultGrpc();

    @Valid @NotNull private PushConfiguration push = new PushConfiguration();

    private static GrpcConfiguration defaultGrpc() {
        GrpcConfiguration grpc = new GrpcConfiguration();
        grpc.setPort(6970); // gopush-cluster's comet RPC port
        return grpc;
    }

    @JsonProperty
    public String getNodeName() {
        return nodeName;
    }

    @JsonProperty
    public void setNodeName(String nodeName) {
        this.nodeName = nodeName;
    }

    @JsonProperty
    public CometServersConfiguration getClients() {
        return clients;
    }

    @JsonProperty
    public void setClients(CometServersConfiguration clients) {
        this.clients = clients;
    }

    @JsonProperty
    public GrpcConfiguration getGrpc() {
        return grpc;
    }

    @JsonProperty
    public void setGrpc(GrpcConfiguration grpc) {
        this.grpc = grpc;
    }

    @JsonProperty
    public PushConfiguration getPush() {
        return push;
    }

    @JsonProperty
    public void setPush(PushConfiguration push) {
        this.push = push;
    }
}
