package io.pushbase.comet.app;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;
import io.dropwizard.util.Duration;
import io.pushbase.cluster.ZooKeeperConfiguration;
import io.pushbase.cluster.grpc.GrpcConfiguration;
import io.pushbase.cluster.message.MessageClientConfiguration;
import io.pushbase.cluster.token.TokenConfiguration;
import io.pushbase.comet.server.CometServersConfiguration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/**
 * A comet's YAML configuration (example: {@code gateway-comet/comet.yml}). Validated at start;
 * {@code ${ENV_VAR:-default}} substitution applies to every value.
 */
public class CometConfiguration extends Configuration {
    /** Comets sharing a node name form a leader/standby pair; the ring places keys by name. */
    @NotEmpty
    @Pattern(regexp = "[^/]+", message = "must not contain '/'")
    private String nodeName = "comet-1";

    @Valid @NotNull private CometServersConfiguration clients = new CometServersConfiguration();

    @Valid @NotNull private GrpcConfiguration grpc = defaultGrpc();

    @Valid @NotNull private PushConfiguration push = new PushConfiguration();

    @Valid @NotNull
    private MessageClientConfiguration messageNodes = new MessageClientConfiguration();

    @Valid @NotNull private TokenConfiguration auth = new TokenConfiguration();

    @Valid @NotNull private ZooKeeperConfiguration zookeeper = new ZooKeeperConfiguration();

    /** How long start waits for the first view of the message nodes and comets. */
    @NotNull private Duration discoveryStartTimeout = Duration.seconds(10);

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

    @JsonProperty
    public MessageClientConfiguration getMessageNodes() {
        return messageNodes;
    }

    @JsonProperty
    public void setMessageNodes(MessageClientConfiguration messageNodes) {
        this.messageNodes = messageNodes;
    }

    @JsonProperty
    public TokenConfiguration getAuth() {
        return auth;
    }

    @JsonProperty
    public void setAuth(TokenConfiguration auth) {
        this.auth = auth;
    }

    @JsonProperty
    public ZooKeeperConfiguration getZookeeper() {
        return zookeeper;
    }

    @JsonProperty
    public void setZookeeper(ZooKeeperConfiguration zookeeper) {
        this.zookeeper = zookeeper;
    }

    @JsonProperty
    public Duration getDiscoveryStartTimeout() {
        return discoveryStartTimeout;
    }

    @JsonProperty
    public void setDiscoveryStartTimeout(Duration discoveryStartTimeout) {
        this.discoveryStartTimeout = discoveryStartTimeout;
    }
}
