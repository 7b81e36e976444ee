package io.pushbase.launcher.process;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A built distribution ({@code bin/}, {@code conf/}, {@code lib/}, {@code lib/hbase/}) and how its
 * parts run as child JVMs of this process: the local HBase ({@code LocalHBaseMain}, ZooKeeper
 * included) and one role ({@code PushbaseMain <role> conf/<role>.yml}, supervised: it exits when
 * this process closes its standard input or dies). The standalone supervisor and the end-to-end
 * tests start nodes only through here, so both run exactly what a user runs.
 *
 * <p>Immutable; every child it starts belongs to the caller.
 */
public final class Distribution {
    /** The JVM flags of every role. */
    private static final List<String> ROLE_JVM =
            List.of("-Xmx512m", "--add-opens", "java.base/java.nio=ALL-UNNAMED");

    /** The JVM flags of the nodes process: three roles' heaps in one. */
    private static final List<String> NODES_JVM =
            List.of("-Xmx1g", "--add-opens", "java.base/java.nio=ALL-UNNAMED");

    /** The comet's ZooKeeper session variable (comet.yml) and its value in the nodes process. */
    static final String COMET_SESSION_ENV = "PUSHBASE_COMET_ZK_SESSION_TIMEOUT";

    /**
     * The nodes process hosts the only comet of its node name, so no standby waits for its session
     * to expire: the 2 s session comet.yml sets for fast takeovers buys nothing there and costs
     * everything on a busy machine (a ZooKeeper client not scheduled for ~1.3 s suspends the comet,
     * ~2 s expires its session: every connection closed). Seen with the Go load generator on this
     * 2-core machine while two builds ran: all 1,000 subscribers closed in a 20 s window. 10 s is
     * the longest session the local ZooKeeper grants (20 ticks of 500 ms); after a crash the
     * restarted comet leads once the old session has expired, at most 10 s.
     */
    static final String STANDALONE_COMET_SESSION = "10s";

    private final Path home;

    public Distribution(Path home) {
        this.home = home;
    }

    public Path home() {
        return home;
    }

    /** The local HBase child and the ZooKeeper quorum it announced ({@code host:port}). */
    public record LocalHBase(ChildJvm child, String zookeeper) {}

    /**
     * Starts ZooKeeper and HBase with data under {@code data}, ZooKeeper on {@code zkPort}, and
     * waits for its {@code READY} line; its other output goes to {@code log}. On failure (no READY
     * by the deadline, the child exited) the child is stopped and this throws.
     */
    public LocalHBase startLocalHBase(Path data, int zkPort, Path log, long deadlineNanos)
            throws IOException, InterruptedException {
        Path lib = home.resolve("lib").resolve("hbase");
        if (!Files.isDirectory(lib)) {
            throw new IllegalStateException(
                    "no local HBase in "
                            + lib
                            + ": run the distribution's bin/pushbase, or pass --zk HOST:PORT");
        }
        ChildJvm hbase =
                ChildJvm.start(
                        "hbase",
                        // The local HBase's own JVM flags (local-hbase/jvm.options).
                        List.of("@" + lib.resolve("jvm.options")),
                        lib + File.separator + "*",
                        "io.pushbase.localhbase.LocalHBaseMain",
                        List.of("--data", data.toString(), "--zk-port", Integer.toString(zkPort)),
                        Map.of(),
                        log,
                        false);
        BufferedReader stdout = hbase.stdout();
        String ready = readReady(hbase, stdout, deadlineNanos);
        if (ready == null) {
            hbase.stop(Duration.ofSeconds(5));
            throw new IllegalStateException(
                    "HBase did not start (in time); last log lines:\n" + hbase.tail(30));
        }
        hbase.drainStdoutToLog(stdout);
        return new LocalHBase(hbase, ready);
    }

    /** Reads the child's standard output up to its {@code READY <zk>} line; null if none came. */
    private static String readReady(ChildJvm hbase, BufferedReader stdout, long deadlineNanos)
            throws InterruptedException {
        // readLine blocks; a watchdog stops the child if the deadline passes first.
        Thread watchdog =
                new Thread(
                        () -> {
                            try {
                                long left = deadlineNanos - System.nanoTime();
                                if (left > 0) {
                                    TimeUnit.NANOSECONDS.sleep(left);
                                }
                                hbase.stop(Duration.ofSeconds(5));
                            } catch (InterruptedException done) {
                                // READY arrived in time
                            }
                        },
                        "hbase-start-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            String line;
            while ((line = stdout.readLine()) != null) {
                if (line.startsWith("READY ")) {
                    return line.substring("READY ".length()).trim();
                }
            }
        } catch (IOException e) {
            // the child died: reported by the caller
        } finally {
            watchdog.interrupt();
        }
        return null;
    }

    /**
     * Starts one message, one comet and one web node in one JVM ({@code pushbase nodes}, from
     * {@code conf/<role>.yml}), supervised like a role, against {@code zookeeper} (Pushbase's and
     * HBase's), every port moved by {@code portOffset}; its output goes to {@code log}. Its comet's
     * ZooKeeper session is {@value #STANDALONE_COMET_SESSION} unless the caller's environment sets
     * {@value #COMET_SESSION_ENV}.
     */
    public ChildJvm startNodes(String zookeeper, int portOffset, Path log) throws IOException {
        return ChildJvm.start(
                "nodes",
                Stream.concat(NODES_JVM.stream(), Stream.of("-Dpushbase.home=" + home)).toList(),
                home.resolve("lib") + File.separator + "*",
                "io.pushbase.launcher.PushbaseMain",
                List.of("nodes", "--port-offset", Integer.toString(portOffset)),
                Map.of(
                        "PUSHBASE_ZK",
                        zookeeper,
                        "HBASE_ZK",
                        zookeeper,
                        "PUSHBASE_SUPERVISED",
                        "1",
                        COMET_SESSION_ENV,
                        System.getenv().getOrDefault(COMET_SESSION_ENV, STANDALONE_COMET_SESSION)),
                log,
                true);
    }

    /**
     * Starts {@code role} ({@code message}, {@code comet} or {@code web}) from {@code
     * conf/<role>.yml}, supervised, against {@code zookeeper}, with {@code env} for the yml's
     * substitutions (ports, names); its output goes to {@code log}.
     *
     * @param name the child's name in messages and logs (e.g. {@code comet-1b})
     */
    public ChildJvm startRole(
            String name, String role, String zookeeper, Map<String, String> env, Path log)
            throws IOException {
        Map<String, String> all = new HashMap<>(env);
        all.put("PUSHBASE_ZK", zookeeper);
        all.put("PUSHBASE_SUPERVISED", "1");
        return ChildJvm.start(
                name,
                ROLE_JVM,
                home.resolve("lib") + File.separator + "*",
                "io.pushbase.launcher.PushbaseMain",
                List.of(role, home.resolve("conf").resolve(role + ".yml").toString()),
                all,
                log,
                true);
    }
}
