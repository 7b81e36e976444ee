package io.pushbase.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pushbase.launcher.nodes.LoopbackPorts;
import io.pushbase.launcher.nodes.Role;
import io.pushbase.launcher.process.ChildJvm;
import io.pushbase.launcher.process.Distribution;
import io.pushbase.launcher.process.Readiness;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A Pushbase cluster of real processes from the built distribution, for fault tests: one local
 * HBase + ZooKeeper child ({@code LocalHBaseMain}, data under a directory of the test), then any
 * number of message nodes, comets and web nodes, each its own child JVM started through {@link
 * Distribution#startRole} ({@code PushbaseMain <role> conf/<role>.yml}) with every port free and on
 * loopback, and awaited through its admin {@code /healthcheck} (a standby comet is healthy too: it
 * is doing its job by waiting).
 *
 * <p>Ownership: owns every process it started, by handle only. {@link #kill} is a crash (SIGKILL),
 * {@link #stop} a graceful stop (SIGTERM); {@link #close()} stops whatever still runs, newest
 * first, and kills what does not stop. Every child also exits by itself when this JVM dies (its
 * standard input closes). Not thread-safe: one test thread drives it.
 */
final class E2eCluster implements AutoCloseable {
    private static final Duration START = Duration.ofSeconds(150);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(2))
                    .build();

    /** One node process: what it is, its ports (kept across a restart) and its child JVM. */
    static final class Node {
        private final String name;
        private final Role role;
        private final Map<String, Integer> ports;
        private final Map<String, String> env;
        private volatile ChildJvm jvm;

        private Node(String name, Role role, Map<String, Integer> ports, Map<String, String> env) {
            this.name = name;
            this.role = role;
            this.ports = ports;
            this.env = env;
        }

        String name() {
            return name;
        }

        /**
         * A port by its use: {@code admin}, {@code grpc}, {@code tcp}, {@code ws}, {@code http}.
         */
        int port(String use) {
            Integer port = ports.get(use);
            if (port == null) {
                throw new IllegalArgumentException(name + " has no " + use + " port");
            }
            return port;
        }

        Map<String, Integer> ports() {
            return ports;
        }

        boolean isAlive() {
            ChildJvm current = jvm;
            return current != null && current.isAlive();
        }

        long pid() {
            return jvm.pid();
        }

        @Override
        public String toString() {
            return name + " " + ports;
        }
    }

    private final Distribution distribution = new Distribution(Standalone.DIST);
    private final Path dir;
    private final int zkPort;
    private final List<Node> nodes = new CopyOnWriteArrayList<>();
    private ChildJvm hbase;
    private String zookeeper;
    private int starts;

    private E2eCluster(Path dir, int zkPort) {
        this.dir = dir;
        this.zkPort = zkPort;
    }

    /** Starts the local HBase and ZooKeeper with data under {@code dir}; no node yet. */
    static E2eCluster start(Path dir) throws Exception {
        E2eCluster cluster = new E2eCluster(dir, LoopbackPorts.freePort());
        try {
            cluster.startHBase();
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private void startHBase() throws Exception {
        starts++;
        Distribution.LocalHBase local =
                distribution.startLocalHBase(
                        dir.resolve("data"),
                        zkPort,
                        dir.resolve("logs").resolve("hbase-" + starts + ".log"),
                        System.nanoTime() + START.toNanos());
        hbase = local.child();
        zookeeper = local.zookeeper();
    }

    /** The ZooKeeper quorum ({@code host:port}) of the local HBase. */
    String zookeeper() {
        return zookeeper;
    }

    /** Whether the local HBase (and its ZooKeeper) still runs. */
    boolean hbaseAlive() {
        return hbase.isAlive();
    }

    /** A message node named {@code name}, started and healthy (HBase and ZooKeeper answer). */
    Node startMessage(String name) throws Exception {
        return startMessage(name, Map.of());
    }

    /** The same, with {@code settings} added to its environment (message.yml's variables). */
    Node startMessage(String name, Map<String, String> settings) throws Exception {
        LoopbackPorts ports = LoopbackPorts.free(Role.MESSAGE);
        Map<String, String> env = ports.environment(zookeeper, name);
        env.put("HBASE_ZK", zookeeper);
        env.putAll(settings);
        return launch(new Node(name, Role.MESSAGE, ports.ports(), env));
    }

    /**
     * A comet process named {@code process} with ring node name {@code nodeName}, started and
     * healthy. The first process of a node name leads; a second one stands by.
     */
    Node startComet(String process, String nodeName) throws Exception {
        LoopbackPorts ports = LoopbackPorts.free(Role.COMET);
        return launch(
                new Node(
                        process,
                        Role.COMET,
                        ports.ports(),
                        ports.environment(zookeeper, nodeName)));
    }

    /** A web node, started and healthy (ZooKeeper, a message node, a comet on the ring). */
    Node startWeb(String name) throws Exception {
        LoopbackPorts ports = LoopbackPorts.free(Role.WEB);
        return launch(new Node(name, Role.WEB, ports.ports(), ports.environment(zookeeper, name)));
    }

    private Node launch(Node node) throws Exception {
        spawn(node);
        awaitHealthy(node);
        return node;
    }

    private void spawn(Node node) throws IOException {
        node.jvm =
                distribution.startRole(
                        node.name,
                        node.role.roleName(),
                        zookeeper,
                        node.env,
                        dir.resolve("logs").resolve(node.name + "-" + starts + ".log"));
        if (!nodes.contains(node)) {
            nodes.add(node);
        }
    }

    private void awaitHealthy(Node node) throws InterruptedException {
        Readiness.awaitHealthy(
                node.jvm,
                "http://127.0.0.1:" + node.port("admin") + "/healthcheck",
                System.nanoTime() + START.toNanos());
    }

    /**
     * The fault tests' cluster, started on this HBase: message nodes {@code message-1} and {@code
     * message-2} (with {@code messageSettings} in their environment), {@code comet-1a} leading node
     * name {@code comet-1}, the web node {@code web-1}, then {@code comet-1b} standing by.
     */
    Paired startPaired(Map<String, String> messageSettings) throws Exception {
        long start = System.nanoTime();
        startMessage("message-1", messageSettings);
        startMessage("message-2", messageSettings);
        Node leader = startComet("comet-1a", "comet-1");
        awaitCometRole(leader, "LEADER", Duration.ofSeconds(90));
        Node web = startWeb("web-1");
        Node standby = startComet("comet-1b", "comet-1");
        String role = cometRole(standby);
        if (!role.equals("STANDBY")) {
            throw new AssertionError(standby.name + " is " + role + ", not STANDBY");
        }
        System.out.printf(
                "cluster of %d nodes up in %d s: %s%n",
                nodes.size(), TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start), nodes);
        return new Paired(web, leader, standby);
    }

    /** What {@link #startPaired} started that the scenarios address by role. */
    record Paired(Node web, Node leader, Node standby) {}

    /**
     * Waits for {@code successor} to lead its node name, and fails if that took longer than {@code
     * atMost}; how long it took.
     */
    Duration awaitTakeover(Node successor, Duration atMost) throws Exception {
        Duration takeover = awaitCometRole(successor, "LEADER", Duration.ofSeconds(90));
        if (takeover.compareTo(atMost) > 0) {
            throw new AssertionError(
                    successor.name + " took " + takeover + " to lead, more than " + atMost);
        }
        return takeover;
    }

    /** Every node started so far (also those killed or stopped since). */
    List<Node> nodes() {
        return List.copyOf(nodes);
    }

    /** The running nodes of {@code role}. */
    List<Node> running(Role role) {
        return nodes.stream().filter(n -> n.role == role && n.isAlive()).toList();
    }

    /** A crash: SIGKILL by handle, no shutdown hook, its ZooKeeper session left to expire. */
    void kill(Node node) throws InterruptedException {
        if (!node.jvm.kill(Duration.ofSeconds(30))) {
            throw new AssertionError(node.name + " (pid " + node.pid() + ") survived SIGKILL");
        }
    }

    /**
     * Sends {@code signal} ({@code STOP} freezes the node as a long GC pause or a frozen VM would,
     * {@code CONT} thaws it) to the node's own process, by its pid.
     */
    void signal(Node node, String signal) throws IOException, InterruptedException {
        Signals.send(node.pid(), signal);
    }

    /** A graceful stop: SIGTERM by handle (SIGKILL only after a 30 s grace); the exit code. */
    int stop(Node node) throws InterruptedException {
        return node.jvm.stop(STOP_GRACE);
    }

    /**
     * Stops every running node gracefully (web nodes, standby comets, leading comets, message
     * nodes, then HBase and ZooKeeper), then starts HBase on the same data and the same nodes again
     * on the same ports in the opposite order: message nodes together, then the comets that led,
     * then the standbys, then web nodes, each group healthy before the next starts.
     *
     * @return the nodes started again, in start order
     */
    List<Node> restartAll() throws Exception {
        List<Node> leaders = new ArrayList<>();
        List<Node> standbys = new ArrayList<>();
        for (Node comet : running(Role.COMET)) {
            (cometRole(comet).equals("LEADER") ? leaders : standbys).add(comet);
        }
        List<List<Node>> groups =
                List.of(running(Role.MESSAGE), leaders, standbys, running(Role.WEB));
        List<List<Node>> stopOrder = new ArrayList<>(groups);
        Collections.reverse(stopOrder);
        long start = System.nanoTime();
        for (List<Node> group : stopOrder) {
            for (Node node : group) {
                int code = stop(node);
                if (code != 0 && code != 143) {
                    throw new AssertionError(node.name + " stopped with exit code " + code);
                }
            }
        }
        int code = hbase.stop(STOP_GRACE);
        if (code != 0 && code != 143) {
            throw new AssertionError("local HBase stopped with exit code " + code);
        }
        long stopped = System.nanoTime();
        startHBase();
        long hbaseUp = System.nanoTime();
        StringBuilder took =
                new StringBuilder(
                        String.format(
                                "restart: stopped in %d ms, HBase ready in %d ms",
                                TimeUnit.NANOSECONDS.toMillis(stopped - start),
                                TimeUnit.NANOSECONDS.toMillis(hbaseUp - stopped)));
        List<Node> order = new ArrayList<>();
        for (List<Node> group : groups) {
            long groupStart = System.nanoTime();
            for (Node node : group) {
                spawn(node);
            }
            for (Node node : group) {
                awaitHealthy(node);
            }
            order.addAll(group);
            took.append(
                    String.format(
                            ", %s healthy in %d ms",
                            group.stream().map(Node::name).toList(),
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - groupStart)));
        }
        System.out.println(took);
        return order;
    }

    /** The count of meter {@code name} in the node's admin {@code /metrics} now (0 if absent). */
    long meterCount(Node node, String name) throws IOException, InterruptedException {
        HttpResponse<String> metrics =
                HTTP.send(
                        HttpRequest.newBuilder(
                                        URI.create(
                                                "http://127.0.0.1:"
                                                        + node.port("admin")
                                                        + "/metrics"))
                                .timeout(Duration.ofSeconds(10))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(metrics.body()).path("meters").path(name).path("count").asLong(0);
    }

    /** The node's admin {@code /healthcheck} answer now. */
    private static HttpResponse<String> healthcheck(Node node)
            throws IOException, InterruptedException {
        return HTTP.send(
                HttpRequest.newBuilder(
                                URI.create(
                                        "http://127.0.0.1:" + node.port("admin") + "/healthcheck"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The role a comet reports in its health check ({@code LEADER}, {@code STANDBY}, ...), or
     * {@code "down"} when its admin port does not answer.
     */
    String cometRole(Node comet) throws InterruptedException {
        try {
            JsonNode message =
                    JSON.readTree(healthcheck(comet).body()).path("role").path("message");
            return message.asText("?").split(" ", 2)[0];
        } catch (IOException e) {
            return "down";
        }
    }

    /** Waits until {@code comet} reports {@code role}; fails after {@code timeout}. */
    Duration awaitCometRole(Node comet, String role, Duration timeout) throws Exception {
        long start = System.nanoTime();
        String last;
        do {
            last = cometRole(comet);
            if (last.equals(role)) {
                return Duration.ofNanos(System.nanoTime() - start);
            }
            Thread.sleep(200);
        } while (System.nanoTime() - start < timeout.toNanos());
        throw new AssertionError(
                comet.name + " is " + last + ", not " + role + " after " + timeout);
    }

    /** The nodes whose admin {@code /healthcheck} does not answer 200 now, with why. */
    List<String> unhealthy(List<Node> which) throws InterruptedException {
        List<String> failures = new ArrayList<>();
        for (Node node : which) {
            try {
                HttpResponse<String> r = healthcheck(node);
                if (r.statusCode() != 200) {
                    failures.add(node.name + ": " + r.statusCode() + " " + r.body());
                }
            } catch (IOException e) {
                failures.add(node.name + ": " + e);
            }
        }
        return failures;
    }

    @Override
    public void close() throws InterruptedException {
        List<Node> newestFirst = new ArrayList<>(nodes);
        Collections.reverse(newestFirst);
        for (Node node : newestFirst) {
            if (node.jvm != null) {
                node.jvm.stop(STOP_GRACE);
            }
        }
        if (hbase != null) {
            hbase.stop(STOP_GRACE);
        }
    }
}
