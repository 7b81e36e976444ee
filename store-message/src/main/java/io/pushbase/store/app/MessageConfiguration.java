package io.pushbase.store.app;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.pushbase.cluster.app.ClusterNodeConfiguration;
import io.pushbase.cluster.grpc.GrpcConfiguration;
import io.pushbase.schema.hbase.RowKeys;
import io.pushbase.store.InstrumentedMessageStore;
import io.pushbase.store.LogSpace;
import io.pushbase.store.StoreLimits;
import io.pushbase.store.cursor.InstrumentedCursorStore;
import io.pushbase.store.hbase.HBaseClient;
import io.pushbase.store.hbase.HBaseCursorStore;
import io.pushbase.store.hbase.HBaseMessageStore;
import io.pushbase.store.hbase.HBaseStoreConfiguration;
import io.pushbase.store.hbase.KeyTrimmer;
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

    /**
     * Builds the store this configuration describes: the HBase client from {@code hbase:}, the
     * limits and key trimmer from {@code store:} (retention from {@code hbase:}), the HBase store
     * and its instrumented front, the device cursors (instrumented), metrics in {@code metrics}.
     * Starts nothing: the caller owns the returned client (see {@link MessageStoreStack}).
     */
    public MessageStoreStack buildStore(MetricRegistry metrics) {
        HBaseClient client = hbase.build();
        StoreLimits limits = store.limits(hbase.getRetention().toSeconds());
        KeyTrimmer trimmer =
                new KeyTrimmer(
                        client::table,
                        RowKeys.standard(),
                        limits.maxStoredPerKey(),
                        limits.retentionSeconds(),
                        store.getTrimEvery(),
                        store.getTrimMaxInFlight(),
                        store.getTrimTrackedKeys(),
                        metrics,
                        LogSpace.KEYS,
                        // Counts settle once every acknowledged append's row has landed.
                        hbase.deadlineMillis());
        HBaseMessageStore hbaseStore =
                new HBaseMessageStore(
                        client::table,
                        limits,
                        RowKeys.standard(),
                        trimmer,
                        hbase.deadlineMillis(),
                        LogSpace.KEYS,
                        metrics);
        HBaseCursorStore cursors =
                new HBaseCursorStore(
                        client::table,
                        RowKeys.standard(),
                        store.cursorLimits(hbase.getRetention().toSeconds()),
                        hbase.deadlineMillis());
        // Room logs (issue 14): the same table, rows named so no key's can be theirs.
        KeyTrimmer roomTrimmer =
                new KeyTrimmer(
                        client::table,
                        RowKeys.standard(),
                        limits.maxStoredPerKey(),
                        limits.retentionSeconds(),
                        store.getTrimEvery(),
                        store.getTrimMaxInFlight(),
                        store.getTrimTrackedKeys(),
                        metrics,
                        LogSpace.ROOMS,
                        hbase.deadlineMillis());
        HBaseMessageStore roomStore =
                new HBaseMessageStore(
                        client::table,
                        limits,
                        RowKeys.standard(),
                        roomTrimmer,
                        hbase.deadlineMillis(),
                        LogSpace.ROOMS,
                        metrics);
        return new MessageStoreStack(
                client,
                limits,
                trimmer,
                hbaseStore,
                new InstrumentedMessageStore(hbaseStore, metrics),
                hbase.deadlineMillis(),
                roomTrimmer,
                new InstrumentedMessageStore(roomStore, metrics),
                new InstrumentedCursorStore(cursors, metrics));
    }
}
