package io.pushbase.launcher.standalone;

import io.pushbase.launcher.nodes.Role;
import io.pushbase.launcher.process.ChildJvm;
import io.pushbase.launcher.process.Distribution;
import io.pushbase.launcher.process.Readiness;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A whole Pushbase cluster on one machine in two child JVMs: ZooKeeper and HBase together (the
 * {@code local-hbase} process, data under {@code --data}, its own JVM because its dependency set
 * cannot share one with the nodes), then one message, one comet and one web node together ({@code
 * bin/pushbase nodes}: one JIT, one heap, in-process gRPC between them). The nodes' health checks
 * gate the start in role order; the web node's (ZooKeeper, a message node answering, a comet on the
 * ring) is the last gate.
 *
 * <p>Supervision ({@link #superviseOnce()}): a child that dies on its own is restarted after a
 * backoff, the other child left running ({@link RestartBudget}: 1 s doubling, at most 5 restarts in
 * 10 minutes per child; then the supervisor gives up and everything stops). The nodes come back
 * gated on their health checks as at start, unless HBase dies during that wait: then the nodes are
 * left running and HBase is restarted at once (its own backoff), since the nodes cannot become
 * healthy without it. HBase comes back on its data directory (its write-ahead log replayed), and
 * the nodes reconnect to it and to its ZooKeeper on their own.
 *
 * <p>Ownership: owns every child it started; {@link #close()} stops them in reverse order (SIGTERM,
 * then SIGKILL after a grace period) and ends supervision: no restart begins after it. Each child
 * also exits by itself when this process dies (its standard input, a pipe held here, closes).
 * Thread-safety: {@link #start()} and {@link #superviseOnce()} run on the supervisor's thread;
 * {@link #close()} may come from a shutdown hook at any time (the methods synchronise on this
 * object; a backoff wait releases it).
 */
final class StandaloneCluster implements AutoCloseable {
    private static final Duration START_BUDGET = Duration.ofSeconds(120);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    /** The local HBase child's name (see {@link Distribution#startLocalHBase}). */
    private static final String HBASE = "hbase";

    private final StandaloneOptions options;
    private final Distribution distribution;
    private final PrintStream out;
    private final Map<String, String> environment;

    /** Running children, the last started first; guarded by this. */
    private final Deque<ChildJvm> children = new ArrayDeque<>();

    private final Map<String, RestartBudget> budgets = new HashMap<>();
    private String zookeeper;
    private volatile boolean closed;

    /**
     * @param environment this process's environment, which every child inherits (the roles' yml
     *     reads {@code PUSHBASE_AUTH}, {@code PUSHBASE_ADMIN_SECRET}...): the banner's curl lines
     *     follow it
     */
    StandaloneCluster(StandaloneOptions options, PrintStream out, Map<String, String> environment) {
        this.options = options;
        this.distribution = new Distribution(options.home());
        this.out = out;
        this.environment = environment;
    }

    /** Starts everything; on failure stops what it started and throws. */
    synchronized void start() throws Exception {
        long deadline = System.nanoTime() + START_BUDGET.toNanos();
        Path logs = options.data().resolve("logs");
        Files.createDirectories(logs);
        try {
            zookeeper = options.zookeeper() != null ? options.zookeeper() : startHBase(deadline);
            if (!startNodes(deadline)) {
                throw new IllegalStateException(
                        "HBase exited while the nodes started; see " + logs.resolve("hbase.log"));
            }
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    /**
     * Starts the nodes and waits for each role's health check, in role order. Answers false,
     * leaving the nodes running, as soon as another child (HBase) is found dead: the nodes cannot
     * become healthy without its ZooKeeper and store, and waiting out the start budget would keep
     * the supervisor from restarting it.
     */
    private boolean startNodes(long deadlineNanos) throws Exception {
        ChildJvm nodes =
                distribution.startNodes(
                        zookeeper,
                        options.portOffset(),
                        options.data().resolve("logs").resolve("nodes.log"));
        children.push(nodes);
        BooleanSupplier anotherChildDied =
                () -> children.stream().anyMatch(c -> c != nodes && !c.isAlive());
        for (Role role : Role.values()) {
            String url = health(role.adminPort(options.portOffset()));
            if (!Readiness.awaitHealthy(nodes, url, deadlineNanos, anotherChildDied)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Restarts every child that died on its own, after its backoff, in start order (HBase before
     * the nodes). Answers false when a child's restart budget is spent (the caller then stops
     * everything) and true otherwise, also when supervision has ended with {@link #close()}.
     */
    synchronized boolean superviseOnce() throws InterruptedException {
        List<ChildJvm> exited = new ArrayList<>();
        for (ChildJvm child : children) {
            if (!child.isAlive()) {
                exited.add(0, child); // children is last-started first: restart in start order
            }
        }
        for (ChildJvm child : exited) {
            if (closed) {
                return true;
            }
            children.remove(child);
            RestartBudget budget = budgets.computeIfAbsent(child.name(), n -> new RestartBudget());
            Duration delay = budget.next();
            int code = child.stop(Duration.ZERO);
            String exit = child.name() + " (pid " + child.pid() + ") exited with " + code;
            String budgetText =
                    RestartBudget.MAX_RESTARTS
                            + " restarts in "
                            + RestartBudget.WINDOW.toMinutes()
                            + " minutes";
            if (delay == null) {
                out.println(exit + ", after " + budgetText + ": giving up.");
                out.println("Last log lines:\n" + child.tail(20));
                out.flush();
                return false;
            }
            out.println(
                    exit
                            + "; restarting it in "
                            + delay.toMillis()
                            + " ms (restart "
                            + budget.recent()
                            + "; at most "
                            + budgetText
                            + ").");
            out.println("Last log lines:\n" + child.tail(20));
            out.flush();
            long wakeUp = System.nanoTime() + delay.toNanos();
            for (long left = delay.toNanos(); left > 0 && !closed; ) {
                TimeUnit.NANOSECONDS.timedWait(this, left); // releases the lock for close()
                left = wakeUp - System.nanoTime();
            }
            if (closed) {
                return true;
            }
            long deadline = System.nanoTime() + START_BUDGET.toNanos();
            try {
                boolean healthy;
                if (child.name().equals(HBASE)) {
                    startHBase(deadline);
                    healthy = true;
                } else {
                    // Not healthy: left running; the nodes reconnect to HBase and its ZooKeeper
                    // on their own once the next round has restarted them.
                    healthy = startNodes(deadline);
                }
                out.println(
                        "Restarted "
                                + child.name()
                                + ": "
                                + children.peek().pid()
                                + (healthy
                                        ? ""
                                        : ", not healthy yet: hbase exited meanwhile and is"
                                                + " restarted next."));
            } catch (Exception e) {
                // Left in children if it was started: the next round sees it dead or stops it.
                out.println("Restarting " + child.name() + " failed: " + e.getMessage());
                ChildJvm started = children.peek();
                if (started != null && started.name().equals(child.name()) && started.isAlive()) {
                    started.stop(STOP_GRACE);
                }
            }
            out.flush();
        }
        return true;
    }

    private String port(int defaultPort) {
        return Integer.toString(options.port(defaultPort));
    }

    private static String health(int adminPort) {
        return "http://127.0.0.1:" + adminPort + "/healthcheck";
    }

    private String startHBase(long deadlineNanos) throws Exception {
        Distribution.LocalHBase hbase =
                distribution.startLocalHBase(
                        options.data(),
                        options.port(2181),
                        options.data().resolve("logs").resolve("hbase.log"),
                        deadlineNanos);
        children.push(hbase.child());
        return hbase.zookeeper();
    }

    /** Where each part listens, and what to try. */
    void printBanner() {
        String h = "127.0.0.1";
        out.println();
        out.println(
                "Pushbase standalone is ready. Data: "
                        + options.data()
                        + ", logs: "
                        + options.data().resolve("logs"));
        out.println(
                "  ZooKeeper     "
                        + zookeeper
                        + (options.zookeeper() == null ? "   (HBase's too; data kept)" : ""));
        out.println(
                "  message node  gRPC "
                        + h
                        + ":"
                        + port(8070)
                        + "   admin http://"
                        + h
                        + ":"
                        + port(8071));
        out.println(
                "  comet node    TCP "
                        + h
                        + ":"
                        + port(6969)
                        + "   WebSocket ws://"
                        + h
                        + ":"
                        + port(6968)
                        + "/sub   admin http://"
                        + h
                        + ":"
                        + port(6971));
        out.println(
                "  web node      http://"
                        + h
                        + ":"
                        + port(8090)
                        + "   admin http://"
                        + h
                        + ":"
                        + port(8091));
        out.println("  console       http://" + h + ":" + port(8091) + "/console");
        // The same admin pages on a port of their own: reachable while app servers fill 8091.
        out.println(
                "  operators     http://"
                        + h
                        + ":"
                        + port(8092)
                        + "/metrics, /healthcheck, /console (a port app servers are not given)");
        // The admin secret is named, not printed: the user's shell expands it.
        String bearer =
                environment.getOrDefault("PUSHBASE_ADMIN_SECRET", "").isEmpty()
                        ? ""
                        : " -H \"Authorization: Bearer $PUSHBASE_ADMIN_SECRET\"";
        String admin = "  curl -s -X POST" + bearer + " 'http://" + h + ":" + port(8091);
        // Auth on: the offline pull needs the key's token (docs/PROTOCOL.md section 1).
        boolean auth = "true".equalsIgnoreCase(environment.get("PUSHBASE_AUTH"));
        out.println("Try:");
        out.println(
                admin
                        + "/1/admin/push/private?key=Terry-Mao&expire=600' -d '{\"hello\":\"pushbase\"}'");
        if (auth) {
            out.println(admin + "/1/admin/token?key=Terry-Mao&ttl=3600'");
        }
        out.println(
                "  curl -s 'http://"
                        + h
                        + ":"
                        + port(8090)
                        + "/1/msg/get?k=Terry-Mao&m=0"
                        + (auth ? "&t=<the token>'" : "'"));
        out.println("Ctrl-C stops everything.");
        out.flush();
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        // Ends a backoff wait at once; a restart already starting a child finishes first (at most
        // the start budget), then its child is stopped with the others.
        synchronized (this) {
            notifyAll();
            stopChildren();
        }
    }

    private void stopChildren() throws InterruptedException {
        while (!children.isEmpty()) {
            ChildJvm child = children.pop();
            int code = child.stop(STOP_GRACE);
            out.println(
                    "Stopped " + child.name() + " (pid " + child.pid() + ", exit " + code + ")");
        }
        out.flush();
    }
}
