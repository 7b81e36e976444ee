package io.pushbase.bench;

import io.pushbase.launcher.nodes.LoopbackPorts;
import io.pushbase.launcher.nodes.Role;
import io.pushbase.launcher.process.ChildJvm;
import io.pushbase.launcher.process.Distribution;
import io.pushbase.launcher.process.Readiness;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A one-machine cluster of the built distribution's processes, each role its own JVM as on a real
 * cluster (so each one's CPU is its own): the local HBase + ZooKeeper ({@code LocalHBaseMain}), one
 * message node, one comet and one web node, each started through {@link Distribution#startRole}
 * exactly as {@code bin/pushbase <role> conf/<role>.yml} starts it, every port free and on
 * loopback, and awaited through its admin {@code /healthcheck}.
 *
 * <p>Ownership: owns every process it started, by handle; {@link #close()} stops them newest first
 * (SIGTERM, SIGKILL after a grace) — never a kill by name. Each child also exits when this JVM dies
 * (its standard input closes). Not thread-safe: started and closed on one thread; the getters are
 * safe from any thread afterwards.
 */
final class DistributionCluster implements AutoCloseable {
    private static final Duration START = Duration.ofSeconds(180);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    /** One node process and its ports. */
    record Node(String name, ChildJvm jvm, LoopbackPorts ports) {
        InetSocketAddress address(String use) {
            return new InetSocketAddress(LoopbackPorts.HOST, ports.port(use));
        }
    }

    private final Distribution distribution;
    private final Path logs;
    private final List<ChildJvm> started = new ArrayList<>();
    private final Map<String, Long> pids = new LinkedHashMap<>();
    private String zookeeper;
    private Node message;
    private Node comet;
    private Node web;

    private DistributionCluster(Path dist, Path logs) {
        this.distribution = new Distribution(dist);
        this.logs = logs;
    }

    /**
     * Starts HBase (data under {@code data}), then the message node (with {@code messageSettings}
     * added to its environment: message.yml's variables), the comet and the web node, each healthy
     * before the next starts. Logs go to {@code data/logs/}.
     */
    static DistributionCluster start(Path dist, Path data, Map<String, String> messageSettings)
            throws Exception {
        DistributionCluster cluster = new DistributionCluster(dist, data.resolve("logs"));
        try {
            long deadline = System.nanoTime() + START.toNanos();
            Distribution.LocalHBase hbase =
                    cluster.distribution.startLocalHBase(
                            data.resolve("hbase"),
                            LoopbackPorts.freePort(),
                            cluster.logs.resolve("hbase.log"),
                            deadline);
            cluster.started.add(hbase.child());
            cluster.pids.put("hbase", hbase.child().pid());
            cluster.zookeeper = hbase.zookeeper();
            Map<String, String> hbaseZk = new LinkedHashMap<>(messageSettings);
            hbaseZk.put("HBASE_ZK", cluster.zookeeper);
            cluster.message = cluster.startRole("message", Role.MESSAGE, hbaseZk);
            cluster.comet = cluster.startRole("comet", Role.COMET, Map.of());
            cluster.web = cluster.startRole("web", Role.WEB, Map.of());
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private Node startRole(String name, Role role, Map<String, String> settings)
            throws IOException, InterruptedException {
        LoopbackPorts ports = LoopbackPorts.free(role);
        Map<String, String> env = ports.environment(zookeeper, name + "-1");
        env.putAll(settings);
        ChildJvm jvm =
                distribution.startRole(
                        name, role.roleName(), zookeeper, env, logs.resolve(name + ".log"));
        started.add(jvm);
        pids.put(name, jvm.pid());
        Readiness.awaitHealthy(
                jvm,
                "http://" + LoopbackPorts.HOST + ":" + ports.port("admin") + "/healthcheck",
                System.nanoTime() + START.toNanos());
        return new Node(name, jvm, ports);
    }

    Node message() {
        return message;
    }

    Node comet() {
        return comet;
    }

    Node web() {
        return web;
    }

    /** Every process by name ({@code hbase}, {@code message}, {@code comet}, {@code web}): pid. */
    Map<String, Long> pids() {
        return Collections.unmodifiableMap(pids);
    }

    /** The processes that are no longer running, by name. */
    List<String> exited() {
        List<String> gone = new ArrayList<>();
        for (ChildJvm jvm : started) {
            if (!jvm.isAlive()) {
                gone.add(jvm.name());
            }
        }
        return gone;
    }

    @Override
    public void close() throws InterruptedException {
        List<ChildJvm> newestFirst = new ArrayList<>(started);
        Collections.reverse(newestFirst);
        for (ChildJvm jvm : newestFirst) {
            jvm.stop(STOP_GRACE);
        }
    }
}
