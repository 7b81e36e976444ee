package io.pushbase.store.app;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.pushbase.cluster.app.ClusterNodeConfiguration;
import io.pushbase.cluster.grpc.GrpcConfiguration;
import io.pushbase.store.hbase.HBaseStoreConfiguration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;

/**
 * A message node's YAML configuration (example: {@code store-message/message.yml}). Validated at
 * start; {@code ${ENV_VAR:-default}} substitution applies to every value.
 */
public class MessageConfiguration extends ClusterNodeConfiguration {
    /** Name shown in the cluster view; default: the advertised gRPC address. */
    private String nodeName;

    @Valid @NotNull private GrpcConfiguration grpc = new GrpcConfiguration();

    @Valid @NotNull private HBaseStoreConfiguration hbase = new HBaseStoreConfiguration();

    @Valid @NotNull private StoreConfiguration store = new StoreConfiguration();

    @JsonProperty
    public String getNodeName() {
        return nodeName;
    }

    @JsonProperty
    public void setNodeName(String nodeName) {
        this.nodeName = nodeName;
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
    public HBaseStoreConfiguration getHbase() {
        return hbase;
    }

    @JsonProperty
    public void setHbase(HBaseStoreConfiguration hbase) {
        this.hbase = hbase;
    }

    @JsonProperty
    public StoreConfiguration getStore() {
        return store;
    }

    @JsonProperty
    public void setStore(StoreConfiguration store) {
        this.store = store;
    }
}
