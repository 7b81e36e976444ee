package io.pushbase.store.hbase;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.MinDuration;
import io.pushbase.schema.hbase.MessageTableLayout;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;

/**
 * YAML block {@code hbase:} of a message node: where HBase is, which table, the retention (family
 * TTL, the longest expiry a push may ask for) and the client's time bounds. Builds the node's
 * {@link HBaseClient}.
 */
public class HBaseStoreConfiguration {
    /** ZooKeeper quorum of the HBase cluster (may differ from Pushbase's own ensemble). */
    @NotEmpty private String zookeeperQuorum = "127.0.0.1:2181";

    @NotEmpty private String znodeParent = "/hbase";

    @NotEmpty private String namespace = MessageTableLayout.DEFAULT_NAMESPACE;

    @NotEmpty private String table = MessageTableLayout.DEFAULT_TABLE;

    @NotNull
    @MinDuration(value = 1, unit = TimeUnit.SECONDS)
    private Duration retention = Duration.seconds(MessageTableLayout.DEFAULT_RETENTION_SECONDS);

    /** Create namespace and table when missing (else the node refuses to start). */
    private boolean createTable = true;

    @NotNull private Duration startTimeout = Duration.seconds(60);

    /** Upper bound of one store operation, retries included. */
    @NotNull
    @MinDuration(value = 100, unit = TimeUnit.MILLISECONDS)
    private Duration operationTimeout = Duration.seconds(5);

    /** Upper bound of one RPC to a region server. */
    @NotNull
    @MinDuration(value = 100, unit = TimeUnit.MILLISECONDS)
    private Duration rpcTimeout = Duration.seconds(2);

    /** Further HBase client properties, passed through as they are. */
    @NotNull private Map<String, String> properties = new LinkedHashMap<>();

    @JsonProperty
    public String getZookeeperQuorum() {
        return zookeeperQuorum;
    }

    @JsonProperty
    public void setZookeeperQuorum(String zookeeperQuorum) {
        this.zookeeperQuorum = zookeeperQuorum;
    }

    @JsonProperty
    public String getZnodeParent() {
        return znodeParent;
    }

    @JsonProperty
    public void setZnodeParent(String znodeParent) {
        this.znodeParent = znodeParent;
    }

    @JsonProperty
    public String getNamespace() {
        return namespace;
    }

    @JsonProperty
    public void setNamespace(String namespace) {
        this.namespace = namespace;
    }

    @JsonProperty
    public String getTable() {
        return table;
    }

    @JsonProperty
    public void setTable(String table) {
        this.table = table;
    }

    @JsonProperty
    public Duration getRetention() {
        return retention;
    }

    @JsonProperty
    public void setRetention(Duration retention) {
        this.retention = retention;
    }

    @JsonProperty
    public boolean isCreateTable() {
        return createTable;
    }

    @JsonProperty
    public void setCreateTable(boolean createTable) {
        this.createTable = createTable;
    }

    @JsonProperty
    public Duration getStartTimeout() {
        return startTimeout;
    }

    @JsonProperty
    public void setStartTimeout(Duration startTimeout) {
        this.startTimeout = startTimeout;
    }

    @JsonProperty
    public Duration getOperationTimeout() {
        return operationTimeout;
    }

    @JsonProperty
    public void setOperationTimeout(Duration operationTimeout) {
        this.operationTimeout = operationTimeout;
    }

    @JsonProperty
    public Duration getRpcTimeout() {
        return rpcTimeout;
    }

    @JsonProperty
    public void setRpcTimeout(Duration rpcTimeout) {
        this.rpcTimeout = rpcTimeout;
    }

    @JsonProperty
    public Map<String, String> getProperties() {
        return properties;
    }

    @JsonProperty
    public void setProperties(Map<String, String> properties) {
        this.properties = properties;
    }

    public MessageTableLayout layout() {
        return new MessageTableLayout(namespace, table, (int) retention.toSeconds());
    }

    /**
     * The store's hard deadline per operation: the client's operation timeout plus slack, so
     * HBase's own timeout normally answers first.
     */
    public long deadlineMillis() {
        return operationTimeout.toMilliseconds() + 1_000;
    }

    /** The HBase client configuration these settings describe. */
    public Configuration hbaseConfiguration() {
        Configuration conf = HBaseConfiguration.create();
        conf.set("hbase.zookeeper.quorum", zookeeperQuorum);
        conf.set("zookeeper.znode.parent", znodeParent);
        long op = operationTimeout.toMilliseconds();
        long rpc = rpcTimeout.toMilliseconds();
        conf.setLong("hbase.client.operation.timeout", op);
        conf.setLong("hbase.client.meta.operation.timeout", op);
        conf.setLong("hbase.client.scanner.timeout.period", op);
        conf.setLong("hbase.rpc.timeout", rpc);
        conf.setLong("hbase.rpc.read.timeout", rpc);
        conf.setLong("hbase.rpc.write.timeout", rpc);
        // Few, short retries: a stuck region server must surface as UNAVAILABLE quickly so
        // the caller can retry on another message node.
        conf.setInt("hbase.client.retries.number", 5);
        conf.setLong("hbase.client.pause", 100);
        conf.setInt("zookeeper.recovery.retry", 1);
        conf.setInt("zookeeper.session.timeout", (int) Math.max(op * 2, 10_000));
        properties.forEach(conf::set);
        return conf;
    }

    public HBaseClient build() {
        return new HBaseClient(
                hbaseConfiguration(),
                layout(),
                createTable,
                startTimeout.toMilliseconds(),
                operationTimeout.toMilliseconds(),
                rpcTimeout.toMilliseconds());
    }
}
