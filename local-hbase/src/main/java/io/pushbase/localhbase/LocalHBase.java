package io.pushbase.localhbase;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.HConstants;
import org.apache.hadoop.hbase.LocalHBaseCluster;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Admin;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.client.ResultScanner;
import org.apache.hadoop.hbase.client.Scan;
import org.apache.hadoop.hbase.client.Table;
import org.apache.hadoop.hbase.util.JVMClusterUtil;
import org.apache.hadoop.hbase.zookeeper.MiniZooKeeperCluster;
import org.apache.hadoop.metrics2.lib.DefaultMetricsSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ZooKeeper and HBase for one machine, in this JVM: a {@link MiniZooKeeperCluster} (one server,
 * data under {@code DIR/zookeeper}) and a {@link LocalHBaseCluster} (one master, one region server,
 * {@code hbase.rootdir=file://DIR/hbase}, no HDFS, no web UIs).
 *
 * <p>Lifecycle: {@link #start} returns only once a real client call has succeeded (the master
 * answers admin calls and {@code hbase:meta} is assigned and readable), so callers may announce
 * readiness. {@link #close()} shuts HBase down cleanly &mdash; region servers flush their memstores
 * and close their regions, so the next start with the same directory reads the data back from store
 * files without replaying WALs &mdash; then stops ZooKeeper and releases the directory. What a
 * restart needs (ZooKeeper's state, HBase's files) stays under the directory.
 *
 * <p>Failure semantics: {@link #start} throws {@link PortInUseException} when the ZooKeeper port is
 * taken, {@link IOException} when the directory is locked by another process or HBase does not
 * become ready in time; whatever it had started is stopped again before it throws. After a
 * successful start, {@link #isServing()} turns false if the master or the region server stops or
 * aborts on its own (HBase does not restart them).
 *
 * <p>Threading: HBase runs on its own threads. {@link #close()} is idempotent and may be called
 * from any thread (e.g. a shutdown hook) while another waits in it; it blocks until everything has
 * stopped.
 */
public final class LocalHBase implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LocalHBase.class);
    private static final long PROBE_PAUSE_MILLIS = 250;

    private final DataDirectory dir;

    /** ZooKeeper's tick: sessions may last 2..20 ticks. */
    static final int ZK_TICK_MILLIS = 500;

    private final MiniZooKeeperCluster zookeeper;
    private final String quorum;
    private volatile LocalHBaseCluster cluster;
    private volatile boolean closed;

    private LocalHBase(DataDirectory dir, MiniZooKeeperCluster zookeeper, String quorum) {
        this.dir = dir;
        this.zookeeper = zookeeper;
        this.quorum = quorum;
    }

    /**
     * Starts ZooKeeper, then HBase, and waits until HBase serves clients.
     *
     * @param readyTimeout how long HBase may take to serve after ZooKeeper is up (a startup step
     *     that overruns it fails with a {@link RuntimeException} or {@link IOException})
     * @param stopRequested polled while waiting; when it turns true, startup is abandoned (with an
     *     {@link InterruptedException}) and whatever started is stopped
     */
    public static LocalHBase start(
            LocalHBaseOptions options, Duration readyTimeout, BooleanSupplier stopRequested)
            throws IOException, InterruptedException {
        DataDirectory dir = DataDirectory.open(options.dataDir());
        LocalHBase hbase;
        try {
            hbase = startZooKeeper(options, dir);
        } catch (IOException | InterruptedException | RuntimeException e) {
            dir.close();
            throw e;
        }
        try {
            hbase.startHBase(options, readyTimeout, stopRequested);
            return hbase;
        } catch (IOException | InterruptedException | RuntimeException e) {
            try {
                hbase.close();
            } catch (RuntimeException | IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static LocalHBase startZooKeeper(LocalHBaseOptions options, DataDirectory dir)
            throws IOException, InterruptedException {
        Configuration zkConf = new Configuration(false);
        zkConf.set(
                "hbase.zookeeper.property.clientPortAddress",
                options.bindAddress().getHostAddress());
        MiniZooKeeperCluster zk = new MiniZooKeeperCluster(zkConf);
        // A 500 ms tick (ZooKeeper's default is 2 s): sessions may be 1-10 s, and expire within
        // a tick of their timeout. The comets' 2 s sessions need it for a standby to take over
        // within ~3 s of a crashed leader (docs/CLUSTER.md, "Failover time"); HBase's 10 s sessions
        // fit.
        zk.setTickTime(ZK_TICK_MILLIS);
        // A port in the list is used as given: startup() answers -1 instead of moving on to the
        // next free port, which would leave the launcher pointing at the wrong one.
        zk.addClientPort(options.zkPort());
        int port = zk.startup(dir.zookeeper().toFile());
        if (port != options.zkPort()) {
            zk.shutdown();
            throw new PortInUseException(
                    "ZooKeeper cannot listen on "
                            + options.bindAddress().getHostAddress()
                            + ":"
                            + options.zkPort()
                            + ": the port is in use (another ZooKeeper or local HBase?);"
                            + " choose another with --zk-port");
        }
        String quorum = options.advertisedHost() + ":" + port;
        LOG.info("ZooKeeper serves on {} (data in {})", quorum, dir.zookeeper());
        return new LocalHBase(dir, zk, quorum);
    }

    private void startHBase(
            LocalHBaseOptions options, Duration readyTimeout, BooleanSupplier stopRequested)
            throws IOException, InterruptedException {
        long deadlineNanos = System.nanoTime() + readyTimeout.toNanos();
        Configuration conf = configuration(options, dir, zookeeper.getClientPort());
        // LocalHBaseCluster.startup() waits for an active, then an initialized master, each with
        // its own timeout (30 s and 200 s by default); both within the one budget here.
        conf.set(
                "hbase.master.start.timeout.localHBaseCluster",
                Long.toString(readyTimeout.toMillis()));
        conf.set(
                "hbase.master.init.timeout.localHBaseCluster",
                Long.toString(readyTimeout.toMillis()));
        // As `hbase master start` does in standalone mode: several servers share this JVM's
        // metrics system.
        DefaultMetricsSystem.setMiniClusterMode(true);
        LocalHBaseCluster started = new LocalHBaseCluster(conf, 1, 1);
        synchronized (this) {
            if (closed) {
                throw new InterruptedIOException("stopped while starting");
            }
            cluster = started;
        }
        // Returns once the master is active and initialized (hbase:meta assigned).
        started.startup();
        awaitClientCall(conf, deadlineNanos, stopRequested);
    }

    /**
     * The HBase configuration of this cluster (package-private for {@code
     * LocalHBaseConfigurationTest}).
     */
    static Configuration configuration(LocalHBaseOptions options, DataDirectory dir, int zkPort) {
        Configuration conf = HBaseConfiguration.create();
        conf.setBoolean(HConstants.CLUSTER_DISTRIBUTED, false);
        conf.set(HConstants.HBASE_DIR, dir.hbaseRoot().toUri().toString());
        conf.set("hbase.tmp.dir", dir.tmp().toString());
        conf.set(HConstants.ZOOKEEPER_QUORUM, options.advertisedHost());
        conf.setInt(HConstants.ZOOKEEPER_CLIENT_PORT, zkPort);
        // As standalone HBase does: a short session, so a region server that died is noticed.
        conf.setInt(HConstants.ZK_SESSION_TIMEOUT, 10_000);
        // The local filesystem has no hflush/hsync capability flags; HBase must not refuse it.
        conf.setBoolean("hbase.unsafe.stream.capability.enforce", false);
        // No web UIs: they need Jetty 9 and two more ports.
        conf.setInt(HConstants.MASTER_INFO_PORT, -1);
        conf.setInt(HConstants.REGIONSERVER_INFO_PORT, -1);
        // RPC on free ports chosen by the OS; clients find both servers through ZooKeeper.
        conf.setInt(HConstants.MASTER_PORT, 0);
        conf.setInt(HConstants.REGIONSERVER_PORT, 0);
        // Start assigning as soon as the one region server has checked in, instead of waiting
        // the default 4.5 s for more.
        conf.setInt("hbase.master.wait.on.regionservers.mintostart", 1);
        conf.setInt("hbase.master.wait.on.regionservers.maxtostart", 1);
        // The master counts a region server as available for assignments only once it has
        // reported; the default 3 s interval makes every (re)start wait for it, and the master's
        // fixed 1, 2, 4, 8 s back-off on hbase:meta then turns that into 4 s more.
        conf.setInt("hbase.regionserver.msginterval", 500);
        String bind = options.bindAddress().getHostAddress();
        conf.set("hbase.master.ipc.address", bind);
        conf.set("hbase.regionserver.ipc.address", bind);
        if (!options.bindAddress().isAnyLocalAddress()) {
            // Register under the address the servers listen on, whatever this host's name
            // resolves to.
            conf.set("hbase.master.hostname", options.advertisedHost());
            conf.set("hbase.unsafe.regionserver.hostname", options.advertisedHost());
        }
        return conf;
    }

    private static void awaitClientCall(
            Configuration serverConf, long deadlineNanos, BooleanSupplier stopRequested)
            throws IOException, InterruptedException {
        Configuration conf = new Configuration(serverConf);
        // Fail fast inside one attempt; this loop does the retrying until the deadline.
        conf.setInt(HConstants.HBASE_CLIENT_RETRIES_NUMBER, 2);
        conf.setInt(HConstants.HBASE_CLIENT_OPERATION_TIMEOUT, 5_000);
        conf.setInt(HConstants.HBASE_RPC_TIMEOUT_KEY, 5_000);
        IOException last = null;
        while (System.nanoTime() < deadlineNanos) {
            if (stopRequested.getAsBoolean()) {
                throw new InterruptedException("stop requested while starting");
            }
            try (Connection connection = ConnectionFactory.createConnection(conf);
                    Admin admin = connection.getAdmin();
                    Table meta = connection.getTable(TableName.META_TABLE_NAME);
                    ResultScanner scanner = meta.getScanner(new Scan().setLimit(1))) {
                admin.listNamespaceDescriptors(); // the master
                scanner.next(); // the region server holding hbase:meta
                return;
            } catch (IOException e) {
                last = e;
                LOG.debug("HBase not serving yet", e);
            }
            Thread.sleep(PROBE_PAUSE_MILLIS);
        }
        throw new IOException("HBase did not serve clients in time", last);
    }

    /** {@code host:port} of the ZooKeeper that clients (and HBase clients) connect to. */
    public String zookeeperQuorum() {
        return quorum;
    }

    /** True while the master and the region server run; false once either stopped or died. */
    public boolean isServing() {
        LocalHBaseCluster running = cluster;
        if (closed || running == null) {
            return false;
        }
        List<JVMClusterUtil.MasterThread> masters = running.getMasters();
        List<JVMClusterUtil.RegionServerThread> servers = running.getRegionServers();
        return !masters.isEmpty()
                && !servers.isEmpty()
                && masters.stream().allMatch(t -> t.isAlive() && !t.getMaster().isStopped())
                && servers.stream().allMatch(t -> t.isAlive() && !t.getRegionServer().isStopped());
    }

    /**
     * Stops HBase cleanly (memstores flushed, regions closed), then ZooKeeper, then releases the
     * data directory. Idempotent; concurrent callers wait for the first one to finish.
     *
     * @throws IOException when ZooKeeper does not stop or the lock cannot be released; HBase itself
     *     has stopped by then
     */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (cluster != null) {
                long begin = System.nanoTime();
                cluster.shutdown();
                cluster.join();
                LOG.info(
                        "HBase stopped in {} ms",
                        Duration.ofNanos(System.nanoTime() - begin).toMillis());
            }
            zookeeper.shutdown();
        } finally {
            dir.close();
        }
    }
}
