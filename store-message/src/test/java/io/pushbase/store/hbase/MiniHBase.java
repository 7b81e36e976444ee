package io.pushbase.store.hbase;

import java.io.File;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseTestingUtility;
import org.apache.hadoop.hbase.StartMiniClusterOption;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One HBase mini cluster (1 master, 1 region server, ZooKeeper, local filesystem, no HDFS) shared
 * by every test class of a test JVM that uses this extension, stopped by JUnit when the run ends.
 * Also usable without JUnit ({@link #start()} / {@link #close()}), e.g. by the benchmark.
 */
public final class MiniHBase implements BeforeAllCallback, ParameterResolver, AutoCloseable {
    private static final Object LOCK = new Object();

    private HBaseTestingUtility util;

    /** Starts a mini cluster; the caller owns it and must {@link #close()} it. */
    public static MiniHBase start() throws Exception {
        MiniHBase mini = new MiniHBase();
        mini.startCluster();
        return mini;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        synchronized (LOCK) {
            context.getRoot()
                    .getStore(ExtensionContext.Namespace.GLOBAL)
                    .getOrComputeIfAbsent(
                            MiniHBase.class,
                            k -> {
                                try {
                                    return start();
                                } catch (Exception e) {
                                    throw new IllegalStateException(
                                            "HBase mini cluster did not start", e);
                                }
                            },
                            MiniHBase.class);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == MiniHBase.class;
    }

    /** Injects the running shared cluster of this test JVM. */
    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        beforeAll(context);
        return context.getRoot()
                .getStore(ExtensionContext.Namespace.GLOBAL)
                .get(MiniHBase.class, MiniHBase.class);
    }

    private void startCluster() throws Exception {
        util = new HBaseTestingUtility();
        Configuration conf = util.getConfiguration();
        conf.setInt("hbase.master.info.port", -1);
        conf.setInt("hbase.regionserver.info.port", -1);
        // The local filesystem has no hflush/hsync capability flags; HBase must not refuse it.
        conf.setBoolean("hbase.unsafe.stream.capability.enforce", false);
        conf.setInt("hbase.regionserver.handler.count", 64);
        util.startMiniZKCluster();
        util.startMiniHBaseCluster(
                StartMiniClusterOption.builder().numMasters(1).numRegionServers(1).build());
    }

    /** Client configuration pointing at this cluster (a copy; safe to modify). */
    public Configuration clientConfiguration() {
        return new Configuration(util.getConfiguration());
    }

    public String zookeeperQuorum() {
        return "127.0.0.1:" + util.getZkCluster().getClientPort();
    }

    public HBaseTestingUtility util() {
        return util;
    }

    public File dataDir() {
        return new File(util.getDataTestDir().toString());
    }

    @Override
    public void close() throws Exception {
        if (util != null) {
            util.shutdownMiniCluster();
            util = null;
        }
    }
}
