package io.pushbase.store.hbase;

import io.dropwizard.lifecycle.Managed;
import io.pushbase.schema.hbase.MessageTableLayout;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HRegionLocation;
import org.apache.hadoop.hbase.client.AdvancedScanResultConsumer;
import org.apache.hadoop.hbase.client.AsyncConnection;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the node's one asynchronous HBase connection. {@link #start()} connects, creates or verifies
 * the message table ({@link MessageTableLayout#ensure}) and builds the table handle with bounded
 * timeouts; {@link #stop()} closes the connection.
 *
 * <p>Failure: start throws when HBase does not answer within {@code startTimeoutMillis} or the
 * table does not match the layout, so a misconfigured node fails at start with the reason. After
 * start, an unreachable HBase surfaces per operation, bounded by the operation timeout. {@link
 * #table()} is thread-safe and valid between start and stop.
 *
 * <p>Start also fills the connection's region-location cache with every region of the table (one
 * scan of {@code hbase:meta}), so the first operations after a start do not each look their region
 * up: on a server just started and flooded at once, those lookups timed out behind the load and
 * stalled every append for seconds (docs/BENCHMARKS.md, "A cold start under a flood"). A failure of
 * that scan is logged and start goes on: regions are then located on first use, as before.
 */
public final class HBaseClient implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(HBaseClient.class);

    private final Configuration conf;
    private final MessageTableLayout layout;
    private final boolean createTable;
    private final long startTimeoutMillis;
    private final long operationTimeoutMillis;
    private final long rpcTimeoutMillis;
    private volatile AsyncConnection connection;
    private volatile AsyncTable<AdvancedScanResultConsumer> table;

    public HBaseClient(
            Configuration conf,
            MessageTableLayout layout,
            boolean createTable,
            long startTimeoutMillis,
            long operationTimeoutMillis,
            long rpcTimeoutMillis) {
        this.conf = conf;
        this.layout = layout;
        this.createTable = createTable;
        this.startTimeoutMillis = startTimeoutMillis;
        this.operationTimeoutMillis = operationTimeoutMillis;
        this.rpcTimeoutMillis = rpcTimeoutMillis;
    }

    @Override
    public void start() throws Exception {
        String quorum = conf.get("hbase.zookeeper.quorum");
        try {
            connection =
                    ConnectionFactory.createAsyncConnection(conf)
                            .get(startTimeoutMillis, TimeUnit.MILLISECONDS);
            layout.ensure(connection.getAdmin(), createTable, startTimeoutMillis);
        } catch (Exception e) {
            stop();
            throw new IllegalStateException(
                    "HBase (ZooKeeper quorum "
                            + quorum
                            + ") not usable within "
                            + startTimeoutMillis
                            + " ms: "
                            + e.getMessage(),
                    e);
        }
        table =
                connection
                        .getTableBuilder(layout.tableName())
                        .setOperationTimeout(operationTimeoutMillis, TimeUnit.MILLISECONDS)
                        .setScanTimeout(operationTimeoutMillis, TimeUnit.MILLISECONDS)
                        .setRpcTimeout(rpcTimeoutMillis, TimeUnit.MILLISECONDS)
                        .setReadRpcTimeout(rpcTimeoutMillis, TimeUnit.MILLISECONDS)
                        .setWriteRpcTimeout(rpcTimeoutMillis, TimeUnit.MILLISECONDS)
                        .build();
        locateRegions();
        LOG.info("HBase table {} ready (quorum {})", layout.tableName(), quorum);
    }

    /** Caches every region location of the table (see the class comment); never throws. */
    private void locateRegions() {
        try {
            List<HRegionLocation> located =
                    connection
                            .getRegionLocator(layout.tableName())
                            .getAllRegionLocations()
                            .get(startTimeoutMillis, TimeUnit.MILLISECONDS);
            LOG.info(
                    "HBase table {}: {} region locations cached",
                    layout.tableName(),
                    located.size());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("HBase table {}: locating its regions interrupted", layout.tableName());
        } catch (Exception e) {
            LOG.warn(
                    "HBase table {}: its regions could not be located at start, each is located on"
                            + " first use: {}",
                    layout.tableName(),
                    e.toString());
        }
    }

    /** The message table; valid after {@link #start()}. */
    public AsyncTable<AdvancedScanResultConsumer> table() {
        AsyncTable<AdvancedScanResultConsumer> t = table;
        if (t == null) {
            throw new IllegalStateException("HBase client not started");
        }
        return t;
    }

    @Override
    public void stop() throws Exception {
        AsyncConnection c = connection;
        connection = null;
        table = null;
        if (c != null) {
            c.close();
        }
    }
}
