package io.pushbase.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pushbase.comet.testing.TcpClient;
import io.pushbase.comet.testing.TextWebSocketClient;
import io.pushbase.schema.client.MidClock;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution as a new user meets it: {@code bin/pushbase standalone} starts ZooKeeper, HBase
 * and one node of each role; a raw TCP client and a WebSocket client subscribe; a push through the
 * admin API reaches both in their formats and is pulled with the same mid; SIGINT (Ctrl-C; SIGTERM
 * where SIGINT is ignored) stops everything with no process left behind; a restart on the same data
 * still has the message; SIGTERM stops it again cleanly. Ports are shifted by {@value #OFFSET} so a
 * standalone already running on the defaults does not matter.
 */
class StandaloneIT {
    private static final int OFFSET = 20_000;
    private static final int AUTH_OFFSET = 21_000;
    private static final int RESTART_OFFSET = 22_000;
    private static final String TOKEN_SECRET = "an-e2e-token-secret-of-at-least-32-bytes";
    private static final String ADMIN_SECRET = "an-e2e-admin-secret";
    private static final String ADMIN = "Bearer " + ADMIN_SECRET;
    private static final String PAYLOAD = "{\"n\":1}";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir Path temp;

    private static String get(int port, String path) throws Exception {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static String post(int port, String path, String body) throws Exception {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    /** Whether this JVM was started with SIGINT ignored (then so is every child it starts). */
    private static boolean sigintIgnored() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 0x2) != 0;
            }
        }
        return false;
    }

    /**
     * Each node's {@code /metrics/prometheus} (on the ports the example Prometheus configuration
     * scrapes: each node's own admin port, the web node's operators' listener; one JVM for all
     * three) parses strictly, labels every series with the node's kind and name, and together they
     * carry every series that ops/grafana/pushbase.json and ops/prometheus/alerts.yml refer to.
     * Runs after a push, so lazily made series exist.
     */
    private static void everyNodeServesTheSeriesTheDashboardAndTheAlertsUse() throws Exception {
        // The ports ops/prometheus/prometheus.yml scrapes (the web node's is its operators'
        // listener), so the example a user points Prometheus at is the one proven here.
        Map<String, Integer> examplePorts = OpsFiles.prometheusTargetPorts();
        assertThat(examplePorts)
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("message", 8071, "comet", 6971, "web", 8092));
        Map<String, Integer> adminPorts = new java.util.TreeMap<>();
        examplePorts.forEach((kind, port) -> adminPorts.put(kind, port + OFFSET));
        java.util.Set<String> served = new java.util.TreeSet<>();
        for (Map.Entry<String, Integer> node : adminPorts.entrySet()) {
            HttpResponse<String> scrape =
                    HTTP.send(
                            HttpRequest.newBuilder(
                                            URI.create(
                                                    "http://127.0.0.1:"
                                                            + node.getValue()
                                                            + "/metrics/prometheus"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.headers().firstValue("Content-Type").orElse(""))
                    .startsWith("text/plain; version=0.0.4");
            List<PrometheusText.Sample> samples = PrometheusText.parse(scrape.body());
            assertThat(samples).hasSizeGreaterThan(50);
            assertThat(samples)
                    .allSatisfy(
                            sample -> {
                                assertThat(sample.labels())
                                        .containsEntry("node_kind", node.getKey());
                                assertThat(sample.labels().get("node_name")).isNotBlank();
                            });
            samples.forEach(sample -> served.add(sample.name()));
        }
        assertThat(served)
                .contains(
                        "pushbase_web_route_requests_total",
                        "pushbase_store_call_seconds_count",
                        "pushbase_comet_pushes_total");
        // Every Pushbase metric is renamed pushbase_* (docs/OPERATIONS.md); what keeps the
        // bridge's default name is Dropwizard's own (JVM, Jetty, logback, its health checks'
        // pool). A new metric no mapping rule matches fails here.
        assertThat(served)
                .as("series neither Pushbase's (pushbase_*) nor Dropwizard's own")
                .allMatch(
                        name ->
                                name.startsWith("pushbase_")
                                        || name.startsWith("jvm_")
                                        || name.startsWith("io_dropwizard_")
                                        || name.startsWith("org_eclipse_jetty_")
                                        || name.startsWith("ch_qos_logback_")
                                        || name.startsWith("TimeBoundHealthCheck_"));
        java.util.Set<String> used = OpsFiles.metricNames(OpsFiles.dashboardExpressions());
        used.addAll(OpsFiles.metricNames(OpsFiles.alertExpressions()));
        assertThat(served).as("series the dashboard and the alerts use").containsAll(used);
    }

    private static Standalone start(Path data) throws Exception {
        return Standalone.run(
                "standalone", "--data", data.toString(), "--port-offset", Integer.toString(OFFSET));
    }

    @Test
    void aWholeClusterStartsServesStopsOnASignalAndKeepsItsDataAcrossARestart() throws Exception {
        Path data = temp.resolve("data");
        long mid;
        try (Standalone standalone = start(data)) {
            Duration ready = standalone.awaitReady(Duration.ofSeconds(180));
            System.out.println("standalone ready after " + ready.toMillis() + " ms (cold)");
            assertThat(standalone.output())
                    .contains("127.0.0.1:" + (8090 + OFFSET))
                    .contains("http://127.0.0.1:" + (8091 + OFFSET) + "/console")
                    .contains("curl -s -X POST");
            // Two child JVMs: the local HBase, and the nodes process hosting message, comet and
            // web.
            assertThat(standalone.descendants())
                    .extracting(p -> String.join(" ", p.info().arguments().orElse(new String[0])))
                    .satisfiesExactlyInAnyOrder(
                            args -> assertThat(args).contains("LocalHBaseMain"),
                            args -> assertThat(args).contains("PushbaseMain nodes --port-offset"));

            try (TcpClient tcp = TcpClient.subscribe(6969 + OFFSET, "e2e-key", null, null)) {
                assertThat(tcp.readLine()).isEqualTo("+h\r\n");

                BlockingQueue<String> frames = new LinkedBlockingQueue<>();
                WebSocket ws =
                        HTTP.newWebSocketBuilder()
                                .buildAsync(
                                        URI.create(
                                                "ws://127.0.0.1:"
                                                        + (6968 + OFFSET)
                                                        + "/sub?key=e2e-key&heartbeat=30&ver=1"),
                                        new WebSocket.Listener() {
                                            @Override
                                            public CompletionStage<?> onText(
                                                    WebSocket w, CharSequence text, boolean last) {
                                                frames.add(text.toString());
                                                w.request(1);
                                                return null;
                                            }
                                        })
                                .get(20, TimeUnit.SECONDS);
                assertThat(frames.poll(20, TimeUnit.SECONDS)).isEqualTo("+h\r\n");

                assertThat(
                                post(
                                        8091 + OFFSET,
                                        "/1/admin/push/private?key=e2e-key&expire=600",
                                        "{\"test\":1}"))
                        .isEqualTo("{\"ret\":0}");
                String old = tcp.readPush();
                JsonNode online = JSON.readTree(frames.poll(20, TimeUnit.SECONDS));
                mid = online.get("mid").asLong();
                assertThat(online.get("msg").toString()).isEqualTo("{\"test\":1}");
                assertThat(old)
                        .isEqualTo("{\"msg\":\"{\\\"test\\\":1}\",\"mid\":" + mid + ",\"gid\":0}");
                ws.abort();
            }
            assertThat(get(8090 + OFFSET, "/1/msg/get?k=e2e-key&m=0"))
                    .isEqualTo(
                            "{\"data\":{\"msgs\":[{\"msg\":{\"test\":1},\"mid\":"
                                    + mid
                                    + ",\"gid\":0}]},\"ret\":0}");
            assertThat(get(8090 + OFFSET, "/demo")).contains("WebSocket");
            assertThat(get(8091 + OFFSET, "/console")).contains("Pushbase console");
            everyNodeServesTheSeriesTheDashboardAndTheAlertsUse();
            aFrozenNodesProcessKeepsItsSubscribers(standalone);

            // Ctrl-C is SIGINT, unless this test runs where SIGINT is ignored (a background
            // job of a non-interactive shell, as on CI): children inherit that, so use SIGTERM.
            String signal = sigintIgnored() ? "TERM" : "INT";
            int code = standalone.signalAndWait(signal, Duration.ofSeconds(90));
            assertThat(code).as("exit after SIG" + signal).isIn(0, 130, 143);
            assertThat(standalone.output()).contains("Stopped hbase");
            for (ProcessHandle child : standalone.descendants()) {
                assertThat(child.isAlive()).as("child " + child.pid() + " left running").isFalse();
            }
        }
        assertThat(Files.isDirectory(data.resolve("hbase"))).isTrue();

        try (Standalone again = start(data)) {
            Duration ready = again.awaitReady(Duration.ofSeconds(180));
            System.out.println("standalone ready after " + ready.toMillis() + " ms (restart)");
            assertThat(get(8090 + OFFSET, "/1/msg/get?k=e2e-key&m=0"))
                    .contains("\"mid\":" + mid + ",");
            int code = again.signalAndWait("TERM", Duration.ofSeconds(90));
            assertThat(code).isIn(0, 143);
            for (ProcessHandle child : again.descendants()) {
                assertThat(child.isAlive()).as("child " + child.pid() + " left running").isFalse();
            }
        }
    }

    @Test
    void aChildKilledHardIsRestartedWhileTheOtherKeepsRunningAndNothingAcknowledgedIsLost()
            throws Exception {
        int offset = RESTART_OFFSET;
        try (Standalone standalone =
                Standalone.run(
                        "standalone",
                        "--data",
                        temp.resolve("restart").toString(),
                        "--port-offset",
                        Integer.toString(offset))) {
            standalone.awaitReady(Duration.ofSeconds(180));
            String push = "/1/admin/push/private?key=restart-key&expire=600";
            assertThat(post(8091 + offset, push, "{\"n\":1,\"a\":0}")).isEqualTo("{\"ret\":0}");

            ProcessHandle hbase = child(standalone, "LocalHBaseMain");
            ProcessHandle nodes = child(standalone, "PushbaseMain nodes");
            long[] second = killAndAwaitPush("nodes", nodes, 8091 + offset, push, 2);
            assertThat(hbase.isAlive()).as("HBase kept running").isTrue();
            ProcessHandle restartedNodes = child(standalone, "PushbaseMain nodes");
            assertThat(restartedNodes.pid()).isNotEqualTo(nodes.pid());
            assertThat(standalone.output())
                    .contains("nodes (pid " + nodes.pid() + ") exited with")
                    .contains("restarting it in 1000 ms");
            // The supervisor's health gate has passed: the nodes are fully up.
            awaitLine(standalone, "Restarted nodes: " + restartedNodes.pid());

            long[] third = killAndAwaitPush("HBase", hbase, 8091 + offset, push, 3);
            assertThat(restartedNodes.isAlive()).as("the nodes kept running").isTrue();
            ProcessHandle restartedHBase = child(standalone, "LocalHBaseMain");
            assertThat(restartedHBase.pid()).isNotEqualTo(hbase.pid());

            // HBase dies while restarted nodes are still gated on their health checks, which
            // cannot pass without HBase's ZooKeeper: the supervisor must restart HBase at once,
            // not wait out the nodes' start budget (120 s) and then kill them for being unhealthy.
            assertThat(restartedNodes.destroyForcibly()).isTrue();
            restartedNodes.onExit().get(30, TimeUnit.SECONDS);
            ProcessHandle startingNodes = awaitChild(standalone, "PushbaseMain nodes");
            assertThat(startingNodes.pid()).isNotEqualTo(restartedNodes.pid());
            assertThat(standalone.output())
                    .doesNotContain("Restarted nodes: " + startingNodes.pid());
            long[] fourth =
                    killAndAwaitPush(
                            "HBase (nodes starting)", restartedHBase, 8091 + offset, push, 4);
            assertThat(standalone.output())
                    .contains(
                            "Restarted nodes: "
                                    + startingNodes.pid()
                                    + ", not healthy yet: hbase exited meanwhile")
                    .doesNotContain("Restarting nodes failed");
            assertThat(child(standalone, "LocalHBaseMain").pid())
                    .isNotEqualTo(restartedHBase.pid());

            // Every acknowledged push is stored, in push order, with increasing mids. An attempt
            // answered with an error may have been stored too (the client cannot know). While
            // HBase is down an attempt can also be stored twice: the comet's append outlives its
            // deadline inside the HBase client and lands after HBase is back, while the web node
            // has stored the push itself (docs/WEB.md, "the one duplicate window"; closing it is
            // the idempotent-push work). Pushes before that outage are stored exactly once.
            JsonNode msgs =
                    JSON.readTree(get(8090 + offset, "/1/msg/get?k=restart-key&m=0"))
                            .get("data")
                            .get("msgs");
            List<String> stored = new ArrayList<>();
            long lastMid = 0;
            for (JsonNode m : msgs) {
                stored.add(m.get("msg").get("n").asInt() + "." + m.get("msg").get("a").asInt());
                assertThat(m.get("mid").asLong()).isGreaterThan(lastMid);
                lastMid = m.get("mid").asLong();
            }
            System.out.println("stored (push.attempt): " + stored);
            assertThat(stored).contains("1.0", "2." + second[1], "3." + third[1], "4." + fourth[1]);
            assertThat(
                            stored.stream()
                                    .filter(e -> !e.startsWith("3.") && !e.startsWith("4."))
                                    .toList())
                    .doesNotHaveDuplicates();
            assertThat(stored)
                    .isSortedAccordingTo(
                            Comparator.comparing(
                                            (String e) ->
                                                    Integer.parseInt(
                                                            e.substring(0, e.indexOf('.'))))
                                    .thenComparing(
                                            e ->
                                                    Integer.parseInt(
                                                            e.substring(e.indexOf('.') + 1))));

            int code = standalone.signalAndWait("TERM", Duration.ofSeconds(90));
            assertThat(code).isIn(0, 143);
            for (ProcessHandle child : standalone.descendants()) {
                assertThat(child.isAlive()).as("child " + child.pid() + " left running").isFalse();
            }
        }
    }

    /**
     * Waits (up to 60 s) for the launcher's one live child whose command line has {@code marker}.
     */
    private static ProcessHandle awaitChild(Standalone standalone, String marker)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            List<ProcessHandle> live = liveChildren(standalone, marker);
            if (live.size() == 1) {
                return live.get(0);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no child matching " + marker + " within 60 s");
    }

    /** Waits (up to 120 s) until the supervisor has printed the line {@code text}. */
    private static void awaitLine(Standalone standalone, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (standalone.output().lines().noneMatch(text::equals)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "the supervisor did not print "
                                + text
                                + " within 120 s:\n"
                                + standalone.output());
            }
            Thread.sleep(100);
        }
    }

    /** The launcher's one live child whose command line contains {@code marker}. */
    private static ProcessHandle child(Standalone standalone, String marker) {
        List<ProcessHandle> matching = liveChildren(standalone, marker);
        assertThat(matching).as("children matching " + marker).hasSize(1);
        return matching.get(0);
    }

    private static List<ProcessHandle> liveChildren(Standalone standalone, String marker) {
        return standalone.children().stream()
                .filter(ProcessHandle::isAlive)
                .filter(
                        p ->
                                String.join(" ", p.info().arguments().orElse(new String[0]))
                                        .contains(marker))
                .toList();
    }

    /**
     * The nodes process frozen for 5 s (SIGSTOP, as a long pause on a busy laptop would) keeps its
     * comet's ZooKeeper session (10 s in standalone, docs/STANDALONE.md) and with it its
     * subscribers: a push after the thaw reaches the connection made before the freeze. With
     * comet.yml's 2 s session, the session expires during the freeze and the comet closes every
     * connection when it learns so.
     */
    private static void aFrozenNodesProcessKeepsItsSubscribers(Standalone standalone)
            throws Exception {
        ProcessHandle nodes = child(standalone, "PushbaseMain nodes");
        try (TcpClient tcp = TcpClient.subscribe(6969 + OFFSET, "frozen-key", null, "1")) {
            assertThat(tcp.readLine()).isEqualTo("+h\r\n");
            Signals.send(nodes.pid(), "STOP");
            try {
                Thread.sleep(5_000);
            } finally {
                Signals.send(nodes.pid(), "CONT");
            }
            long thawed = System.nanoTime();
            tcp.socket().setSoTimeout(2_000);
            String answer = "nothing";
            for (int n = 0; System.nanoTime() - thawed < TimeUnit.SECONDS.toNanos(30); n++) {
                // A push the comet could not take yet (still reconnecting) is stored by the web
                // node and not delivered: the next one is.
                answer =
                        post(
                                8091 + OFFSET,
                                "/1/admin/push/private?key=frozen-key&expire=600",
                                "{\"n\":" + n + "}");
                String header;
                try {
                    header = tcp.readLine();
                } catch (SocketTimeoutException notYet) {
                    continue;
                }
                assertThat(header)
                        .as("the connection made before the freeze was closed")
                        .isNotEmpty();
                assertThat(tcp.readPushAfter(header)).startsWith("{\"msg\":{\"n\":");
                System.out.println(
                        "nodes frozen 5 s: a subscriber's push delivered "
                                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - thawed)
                                + " ms after the thaw");
                return;
            }
            throw new AssertionError(
                    "no push reached the subscriber within 30 s of the thaw; last answer "
                            + answer);
        }
    }

    /**
     * Kills {@code child} hard (by its handle), then pushes {@code {"n":n,"a":attempt}} until a
     * push is acknowledged; answers the milliseconds from the kill to that acknowledgement and the
     * acknowledged attempt.
     */
    private static long[] killAndAwaitPush(
            String what, ProcessHandle child, int adminPort, String path, int n) throws Exception {
        long killed = System.nanoTime();
        assertThat(child.destroyForcibly()).isTrue();
        child.onExit().get(30, TimeUnit.SECONDS);
        long deadline = killed + TimeUnit.SECONDS.toNanos(240);
        String last = "nothing";
        for (int attempt = 0; System.nanoTime() < deadline; attempt++) {
            try {
                last = post(adminPort, path, "{\"n\":" + n + ",\"a\":" + attempt + "}");
                if (last.equals("{\"ret\":0}")) {
                    long outage = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
                    System.out.println(
                            what + " killed -9: pushes acknowledged again after " + outage + " ms");
                    return new long[] {outage, attempt};
                }
            } catch (java.io.IOException e) {
                last = e.toString();
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no push acknowledged within 240 s of the kill; last: " + last);
    }

    @Test
    void withAuthOnAgainstAnExistingZooKeeperEveryRouteWorksEndToEnd() throws Exception {
        try (E2eCluster hbase = E2eCluster.start(temp.resolve("hbase"));
                Standalone standalone =
                        Standalone.run(
                                Map.of(
                                        "PUSHBASE_AUTH", "true",
                                        "PUSHBASE_AUTH_SECRET", TOKEN_SECRET,
                                        "PUSHBASE_ADMIN_SECRET", ADMIN_SECRET),
                                "standalone",
                                "--zk",
                                hbase.zookeeper(),
                                "--data",
                                temp.resolve("data").toString(),
                                "--port-offset",
                                Integer.toString(AUTH_OFFSET))) {
            Duration ready = standalone.awaitReady(Duration.ofSeconds(180));
            System.out.println("standalone --zk ready after " + ready.toMillis() + " ms");
            // The banner's curl lines follow the environment; the secret itself is not printed.
            assertThat(standalone.output())
                    .contains("Authorization: Bearer $PUSHBASE_ADMIN_SECRET")
                    .contains("/1/admin/token?key=Terry-Mao")
                    .doesNotContain(ADMIN_SECRET)
                    .doesNotContain("HBase's too");
            for (ProcessHandle child : standalone.descendants()) {
                assertThat(child.info().commandLine().orElse("")).doesNotContain("LocalHBaseMain");
            }
            int web = 8090 + AUTH_OFFSET;
            int admin = 8091 + AUTH_OFFSET;

            // Lookup and time need no token, as in gopush-cluster; the admin API its secret.
            assertThat(get(web, "/1/server/get?k=alice&p=2"))
                    .isEqualTo(
                            "{\"data\":{\"server\":\"127.0.0.1:"
                                    + (6969 + AUTH_OFFSET)
                                    + "\"},\"ret\":0}");
            assertThat(get(web, "/server/get?key=bob&proto=1&callback=cb"))
                    .isEqualTo(
                            "cb({\"data\":{\"server\":\"127.0.0.1:"
                                    + (6968 + AUTH_OFFSET)
                                    + "\"},\"msg\":\"ok\",\"ret\":0})");
            long before = MidClock.system().now();
            long timeId = JSON.readTree(get(web, "/1/time/get")).get("data").get("timeid").asLong();
            assertThat(timeId).isBetween(before, MidClock.system().now());
            assertThat(get(web, "/time/get")).startsWith("{\"data\":{\"timeid\":");
            assertThat(admin(admin, "/1/admin/token?key=alice&ttl=60", "", null).statusCode())
                    .isEqualTo(401);
            String alice = token(admin, "alice");
            String bob = token(admin, "bob");
            String carol = token(admin, "carol");

            try (TcpClient aliceTcp = TcpClient.subscribe(6969 + AUTH_OFFSET, "alice", alice, "1");
                    TcpClient noToken = TcpClient.subscribe(6969 + AUTH_OFFSET, "bob", null, "1");
                    TcpClient thief = TcpClient.subscribe(6969 + AUTH_OFFSET, "bob", alice, "1");
                    TextWebSocketClient bobWs =
                            TextWebSocketClient.connect(
                                    URI.create(
                                            "ws://127.0.0.1:"
                                                    + (6968 + AUTH_OFFSET)
                                                    + "/sub?key=bob&heartbeat=30&token="
                                                    + bob),
                                    null,
                                    Duration.ofSeconds(20))) {
                assertThat(aliceTcp.readLine()).isEqualTo("+h\r\n");
                assertThat(noToken.readLine()).isEqualTo("-a\r\n");
                assertThat(thief.readLine()).isEqualTo("-a\r\n");
                assertThat(bobWs.nextText(Duration.ofSeconds(20))).isEqualTo("+h\r\n");

                // One multi-key push: alice (new format, TCP) and bob (old format, WebSocket)
                // online, carol offline.
                HttpResponse<String> pushed =
                        admin(
                                admin,
                                "/1/admin/push/mprivate?expire=600",
                                JSON.writeValueAsString(
                                        Map.of("m", PAYLOAD, "k", "alice,bob,carol")),
                                ADMIN);
                assertThat(pushed.body()).isEqualTo("{\"ret\":0}");
                ClientMessages.Message toAlice = ClientMessages.parseNew(aliceTcp.readPush());
                assertThat(toAlice.payload()).isEqualTo(PAYLOAD);
                long aliceMid = toAlice.mid();
                ClientMessages.Message toBob =
                        ClientMessages.parseOld(bobWs.nextText(Duration.ofSeconds(20)));
                assertThat(toBob.payload()).isEqualTo(PAYLOAD);
                assertThat(aliceMid).isGreaterThan(timeId);

                // The offline pull: only with carol's own token; from the time id on.
                String pull = "/1/msg/get?k=carol&m=" + timeId;
                assertThat(get(web, pull)).isEqualTo("{\"ret\":1002}");
                assertThat(get(web, pull + "&t=" + alice)).isEqualTo("{\"ret\":1002}");
                JsonNode pulled = JSON.readTree(get(web, pull + "&t=" + carol));
                assertThat(pulled.at("/data/msgs/0/msg").toString()).isEqualTo(PAYLOAD);
                long carolMid = pulled.at("/data/msgs/0/mid").asLong();
                assertThat(carolMid).isGreaterThan(timeId);
                // The unversioned pull: each message is the old format, as a JSON string.
                String old =
                        "{\"msg\":"
                                + JSON.writeValueAsString(PAYLOAD)
                                + ",\"mid\":"
                                + carolMid
                                + ",\"gid\":0}";
                assertThat(get(web, "/msg/get?key=carol&mid=0&token=" + carol))
                        .isEqualTo(
                                "{\"data\":{\"msgs\":["
                                        + JSON.writeValueAsString(old)
                                        + "],\"pmsgs\":[]},\"msg\":\"ok\",\"ret\":0}");
                assertThat(get(web, "/1/msg/get?k=bob&m=0&t=" + bob))
                        .contains("\"mid\":" + toBob.mid() + ",");

                // Delete: alice's messages are gone and her connection is closed.
                HttpResponse<String> deleted = admin(admin, "/1/admin/msg/del", "key=alice", ADMIN);
                assertThat(deleted.body())
                        .as(
                                () ->
                                        deleted.headers().firstValue("X-Pushbase-Error").orElse("")
                                                + "\nnodes.log:\n"
                                                + tail(temp.resolve("data/logs/nodes.log"), 60))
                        .isEqualTo("{\"ret\":0}");
                assertThat(aliceTcp.readLine()).as("alice's connection after delete").isEmpty();
                assertThat(get(web, "/1/msg/get?k=alice&m=0&t=" + alice)).isEqualTo("{\"ret\":0}");
                assertThat(get(web, "/1/msg/get?k=carol&m=0&t=" + carol))
                        .contains("\"mid\":" + carolMid + ",");
            }

            assertThat(standalone.signalAndWait("TERM", Duration.ofSeconds(90))).isIn(0, 143);
            for (ProcessHandle child : standalone.descendants()) {
                assertThat(child.isAlive()).as("child " + child.pid() + " left running").isFalse();
            }
            // An existing ZooKeeper/HBase is the user's: standalone leaves it running.
            assertThat(hbase.hbaseAlive()).isTrue();
        }
    }

    /**
     * A POST to the admin API with {@code authorization} (null: none), as {@code curl -d} sends it
     * (a form content type, whatever the body).
     */
    private static HttpResponse<String> admin(
            int port, String path, String body, String authorization) throws Exception {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The last {@code lines} lines of a log, for a failure's description. */
    private static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (java.io.IOException e) {
            return "(" + e + ")";
        }
    }

    private static String token(int adminPort, String key) throws Exception {
        HttpResponse<String> issued =
                admin(adminPort, "/1/admin/token?key=" + key + "&ttl=600", "", ADMIN);
        assertThat(issued.statusCode()).isEqualTo(200);
        return JSON.readTree(issued.body()).at("/data/token").asText();
    }

    @Test
    void theLauncherExplainsItselfAndRefusesBadArguments() throws Exception {
        try (Standalone help = Standalone.run("--help")) {
            assertThat(help.waitFor(Duration.ofSeconds(30))).isZero();
            assertThat(help.output()).contains("pushbase standalone");
        }
        try (Standalone bad = Standalone.run("standalone", "--bogus", "1")) {
            assertThat(bad.waitFor(Duration.ofSeconds(30))).isEqualTo(2);
            assertThat(bad.output()).contains("unknown option: --bogus");
        }
        try (Standalone none = Standalone.run("comet")) {
            assertThat(none.waitFor(Duration.ofSeconds(30))).isEqualTo(2);
        }
    }
}
