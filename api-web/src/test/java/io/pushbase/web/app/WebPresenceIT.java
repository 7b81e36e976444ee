package io.pushbase.web.app;

import static io.pushbase.web.testing.WebTestCluster.awaitRing;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.ConfigOverride;
import io.pushbase.cluster.CuratorLifecycle;
import io.pushbase.cluster.ZooKeeperConfiguration;
import io.pushbase.cluster.ring.HashRing;
import io.pushbase.comet.testing.CometTestCluster;
import io.pushbase.comet.testing.CometTestCluster.Comet;
import io.pushbase.comet.testing.TcpClient;
import io.pushbase.comet.testing.TextWebSocketClient;
import io.pushbase.comet.testing.Wire;
import io.pushbase.schema.ZkPaths;
import io.pushbase.web.testing.Rings;
import io.pushbase.web.testing.WebTestCluster;
import io.pushbase.web.testing.WebTestCluster.Web;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.CreateMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Presence ({@code GET /1/admin/online?key=K}, {@code GET /1/admin/online/total}) on a web node in
 * front of two real comets, with clients subscribed over real TCP and WebSocket connections: a
 * key's connections counted per comet, the totals, a key whose connections sit on two comets at
 * once (the comets disagree on the ring: one comet's registration is gone from discovery while it
 * still leads its node name and serves the key — the web node's ring owner is then the other comet,
 * so only asking every comet finds both), bad input, the admin secret, and last, comets that are
 * registered but do not answer (three accept connections and never answer, as a frozen process
 * does; one refuses connections): the answer names each with why, still counts the others, and
 * comes within about one deadline because every comet is asked at once; and a room's presence
 * ({@code GET /1/admin/room/online?room=R}, issue 14) with those same comets not answering.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WebPresenceIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long DEADLINE_MILLIS = 2_000;

    /** Registered comets that accept connections and never answer. */
    private static final int SILENT = 3;

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String DISCOVERY = CometTestCluster.PATHS.discovery();

    private static WebTestCluster cluster;
    private static Comet comet1;
    private static Comet comet2;
    private static Web web;
    private static CuratorLifecycle session;
    private static final List<ServerSocket> silentPorts = new ArrayList<>();
    private static final List<Socket> held = new CopyOnWriteArrayList<>();

    /** The port of the registered comet "ghost" that refuses connections; 0 until registered. */
    private static int refusedPort;

    @BeforeAll
    static void start() throws Exception {
        cluster = new WebTestCluster(1);
        comet1 = cluster.comets().startComet("comet-1");
        comet2 = cluster.comets().startComet("comet-2");
        web =
                cluster.startWeb(
                        ConfigOverride.config(
                                WebTestCluster.PREFIX,
                                "comets.presenceTimeout",
                                DEADLINE_MILLIS + "ms"));
        ZooKeeperConfiguration zk = new ZooKeeperConfiguration();
        zk.setConnectString(cluster.comets().zookeeperConnectString());
        session = zk.build();
        session.start();
        awaitRing(web, Map.of("comet-1", comet1, "comet-2", comet2));
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (session != null) {
                session.stop();
            }
            for (ServerSocket s : silentPorts) {
                s.close();
            }
            for (Socket s : held) {
                s.close();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private static final HashRing TWO = Rings.of("comet-1", "comet-2");

    /** A TCP subscriber of {@code key} on {@code comet}, admitted ({@code +h}). */
    private static TcpClient tcpSubscriber(Comet comet, String key) throws Exception {
        TcpClient client = TcpClient.subscribe(comet.tcp(), key, null, null);
        assertThat(client.readLine()).as("admitted on " + comet.tcp()).isEqualTo("+h\r\n");
        return client;
    }

    /** A WebSocket subscriber of {@code key} on {@code comet}, admitted ({@code +h}). */
    private static TextWebSocketClient wsSubscriber(Comet comet, String key) throws Exception {
        TextWebSocketClient client =
                TextWebSocketClient.connect(
                        URI.create(
                                "ws://127.0.0.1:"
                                        + comet.ws()
                                        + "/sub?key="
                                        + key
                                        + "&heartbeat=30"),
                        null,
                        Duration.ofSeconds(20));
        assertThat(client.nextText(Duration.ofSeconds(20))).isEqualTo("+h\r\n");
        return client;
    }

    private static HttpResponse<String> get(Web node, String path, String authorization)
            throws Exception {
        return node.send(node.adminPort(), "GET", path, null, authorization);
    }

    /** The {@code data} of a {@code ret 0} answer of {@code path} on the admin port. */
    private static JsonNode data(String path) throws Exception {
        HttpResponse<String> response = get(web, path, null);
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        JsonNode answer = JSON.readTree(response.body());
        assertThat(answer.get("ret").asInt()).as(response.body()).isZero();
        return answer.get("data");
    }

    /** Node name -> connections of the comets that answered. */
    private static Map<String, Integer> counts(JsonNode data) {
        Map<String, Integer> counts = new TreeMap<>();
        for (JsonNode comet : data.get("comets")) {
            counts.put(comet.get("nodeName").asText(), comet.get("connections").asInt());
        }
        return counts;
    }

    /**
     * Asks {@code path} until the comets' counts are {@code expected} (connections closed by a test
     * before leave their comet's registry asynchronously); returns that answer's data.
     */
    private static JsonNode awaitCounts(String path, Map<String, Integer> expected)
            throws Exception {
        long deadline = System.currentTimeMillis() + WAIT.toMillis();
        JsonNode data = data(path);
        while (!counts(data).equals(new TreeMap<>(expected))) {
            assertThat(System.currentTimeMillis())
                    .as("counts of " + path + " never became " + expected + ", last " + data)
                    .isLessThan(deadline);
            Thread.sleep(50);
            data = data(path);
        }
        return data;
    }

    private static String grpcId(Comet comet) {
        return "127.0.0.1:" + comet.grpc();
    }

    // ---------------------------------------------------------------- tests

    @Test
    @Order(1)
    void aKeysConnectionsAreCountedPerCometAndTheTotalsPerCometAndInAll() throws Exception {
        String here = Rings.nameOn("here", "comet-1", TWO);
        String there = Rings.nameOn("there", "comet-2", TWO);
        try (TcpClient tcp = tcpSubscriber(comet1, here);
                TextWebSocketClient ws = wsSubscriber(comet1, here);
                TcpClient other = tcpSubscriber(comet2, there)) {
            JsonNode online =
                    awaitCounts("/1/admin/online?key=" + here, Map.of("comet-1", 2, "comet-2", 0));
            assertThat(online.get("key").asText()).isEqualTo(here);
            assertThat(online.get("total").asLong()).isEqualTo(2);
            assertThat(online.get("allAnswered").asBoolean()).isTrue();
            assertThat(online.get("unanswered")).isEmpty();
            assertThat(online.get("deadlineMillis").asLong()).isEqualTo(DEADLINE_MILLIS);
            assertThat(online.get("comets").get(0).get("id").asText()).isEqualTo(grpcId(comet1));
            assertThat(online.get("comets").get(1).get("id").asText()).isEqualTo(grpcId(comet2));

            JsonNode total =
                    awaitCounts("/1/admin/online/total", Map.of("comet-1", 2, "comet-2", 1));
            assertThat(total.get("total").asLong()).isEqualTo(3);
            assertThat(total.get("allAnswered").asBoolean()).isTrue();
            assertThat(total.get("unanswered")).isEmpty();
            for (JsonNode comet : total.get("comets")) {
                assertThat(comet.get("role").asText()).isEqualTo("leader");
            }
            // The cluster view reads the same pings: the same counts.
            Map<String, Integer> viewed = new TreeMap<>();
            for (JsonNode comet : data("/1/admin/nodes").get("comets")) {
                viewed.put(comet.get("nodeName").asText(), comet.get("connections").asInt());
            }
            assertThat(viewed).isEqualTo(counts(total));
        }
        // Gone with their sockets.
        JsonNode after = awaitCounts("/1/admin/online/total", Map.of("comet-1", 0, "comet-2", 0));
        assertThat(after.get("total").asLong()).isZero();
    }

    @Test
    @Order(2)
    void aKeyWhoseConnectionsSitOnTwoCometsIsCountedOnEach() throws Exception {
        String key = Rings.nameOn("both", "comet-2", TWO);
        String registration = DISCOVERY + "/" + ZkPaths.SERVICE_COMET + "/" + grpcId(comet2);
        String path = "/1/admin/online?key=" + key;
        byte[] registered = session.client().getData().forPath(registration);
        TcpClient onOne = null;
        try (TcpClient onTwo = tcpSubscriber(comet2, key)) {
            // comet-2's registration vanishes from discovery while comet-2 still leads its node
            // name: comet-1 and the web node now see a ring of comet-1 alone, comet-2 still
            // places the key on itself (a comet keeps its own name on its ring while it leads).
            // A ZooKeeper reconnection of comet-2 (a stall of a loaded machine) writes its
            // registration again and ends the split: then it is split again.
            JsonNode split = null;
            for (int attempt = 1; split == null; attempt++) {
                assertThat(attempt).as("comet-2's registration kept coming back").isLessThan(4);
                if (onOne != null) {
                    onOne.close();
                }
                session.client().delete().quietly().forPath(registration);
                onOne = admittedOnComet1(key);
                split = awaitSplitCounts(path, registration);
            }
            System.out.println("presence of a key on two comets: " + split);
            assertThat(split.get("total").asLong()).isEqualTo(2);
            assertThat(split.get("allAnswered").asBoolean()).isTrue();
            // comet-2 is not in discovery; it was asked as its node name's elected leader.
            assertThat(split.get("comets").get(1).get("id").asText()).isEqualTo(grpcId(comet2));

            // The registration comes back: comet-1's ring moves the key to comet-2 and comet-1
            // closes its connection; presence follows.
            if (session.client().checkExists().forPath(registration) == null) {
                session.client()
                        .create()
                        .withMode(CreateMode.EPHEMERAL)
                        .forPath(registration, registered);
            }
            JsonNode moved = awaitCounts(path, Map.of("comet-1", 0, "comet-2", 1));
            assertThat(moved.get("total").asLong()).isEqualTo(1);
        } finally {
            if (onOne != null) {
                onOne.close();
            }
        }
        awaitRing(web, Map.of("comet-1", comet1, "comet-2", comet2));
        // The closed connections leave their comets' registries asynchronously: later tests
        // assert exact totals per comet, so wait until they are gone here.
        awaitCounts("/1/admin/online/total", Map.of("comet-1", 0, "comet-2", 0));
    }

    /**
     * A TCP subscriber of {@code key} on comet-1 once the web node's ring (comet-1 alone) names
     * comet-1 and comet-1 admits the key.
     */
    private static TcpClient admittedOnComet1(String key) throws Exception {
        assertThat(Rings.of("comet-1").nodeFor(key)).hasValue("comet-1");
        long deadline = System.currentTimeMillis() + WAIT.toMillis();
        while (!web.get("/1/server/get?p=2&k=" + key)
                .body()
                .contains("127.0.0.1:" + comet1.tcp())) {
            assertThat(System.currentTimeMillis()).isLessThan(deadline);
            Thread.sleep(50);
        }
        while (true) {
            TcpClient attempt = TcpClient.subscribe(comet1.tcp(), key, null, null);
            if (attempt.readLine().equals("+h\r\n")) {
                return attempt;
            }
            attempt.close(); // comet-1 has not seen the ring change yet
            assertThat(System.currentTimeMillis()).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /**
     * Asks {@code path} until both comets count one connection; null when {@code registration} came
     * back first (the split ended).
     */
    private static JsonNode awaitSplitCounts(String path, String registration) throws Exception {
        Map<String, Integer> both = Map.of("comet-1", 1, "comet-2", 1);
        long deadline = System.currentTimeMillis() + WAIT.toMillis();
        while (true) {
            JsonNode data = data(path);
            if (counts(data).equals(both)) {
                return data;
            }
            if (session.client().checkExists().forPath(registration) != null) {
                return null;
            }
            assertThat(System.currentTimeMillis())
                    .as("counts of " + path + " never became " + both + ", last " + data)
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    @Order(3)
    void badInputIsRefusedWithTheParamErrorAndItsReason() throws Exception {
        Map<String, String> problems = new LinkedHashMap<>();
        problems.put("/1/admin/online", "key is required");
        problems.put("/1/admin/online?key=", "key is required");
        problems.put("/1/admin/online?key=" + "k".repeat(257), "key is 257 bytes, at most 256");
        problems.put(
                "/1/admin/online?key=" + WebTestCluster.q("\u4e2d".repeat(86)),
                "key is 258 bytes, at most 256");
        for (Map.Entry<String, String> bad : problems.entrySet()) {
            HttpResponse<String> answer = get(web, bad.getKey(), null);
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).as(bad.getKey()).isEqualTo("{\"ret\":65534}");
            assertThat(answer.headers().firstValue("X-Pushbase-Error"))
                    .get()
                    .asString()
                    .contains(bad.getValue());
        }
        assertThat(
                        web.send(web.adminPort(), "POST", "/1/admin/online?key=a", "", null)
                                .statusCode())
                .isEqualTo(405);
        assertThat(
                        web.send(web.adminPort(), "POST", "/1/admin/online/total", "", null)
                                .statusCode())
                .isEqualTo(405);
        // Not served on the external port.
        assertThat(web.get("/1/admin/online?key=a").statusCode()).isEqualTo(404);
        assertThat(web.meter("web.route.admin.online.ret.65534")).isEqualTo(problems.size());
    }

    @Test
    @Order(4)
    void withAnAdminSecretBothRoutesNeedTheBearerHeader() throws Exception {
        Web guarded =
                cluster.startWeb(
                        ConfigOverride.config(
                                WebTestCluster.PREFIX, "api.adminSecret", "presence-secret"));
        for (String path : List.of("/1/admin/online?key=a", "/1/admin/online/total")) {
            for (String wrong : new String[] {null, "Bearer nope", "presence-secret"}) {
                HttpResponse<String> refused = get(guarded, path, wrong);
                assertThat(refused.statusCode()).as(path + " " + wrong).isEqualTo(401);
                assertThat(refused.body()).isEqualTo("{\"ret\":1002}");
            }
            HttpResponse<String> allowed = get(guarded, path, "Bearer presence-secret");
            assertThat(allowed.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(allowed.body()).get("ret").asInt()).isZero();
        }
    }

    @Test
    @Order(5)
    void cometsThatDoNotAnswerAreNamedWithWhyWhileTheOthersStillCount() throws Exception {
        HashRing five = registerUnansweringComets();
        String key = Rings.nameOn("alive", "comet-1", TWO, five);
        long deadlines = web.meter("web.presence.unanswered.deadline");
        long unavailables = web.meter("web.presence.unanswered.unavailable");
        try (TcpClient client = tcpSubscriber(comet1, key)) {
            long start = System.nanoTime();
            JsonNode online = data("/1/admin/online?key=" + key);
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            System.out.printf(
                    "presence with %d frozen comets answered in %d ms (deadline %d ms): %s%n",
                    SILENT, tookMillis, DEADLINE_MILLIS, online);
            assertThat(counts(online)).isEqualTo(Map.of("comet-1", 1, "comet-2", 0));
            assertThat(online.get("total").asLong()).isEqualTo(1);
            assertThat(online.get("allAnswered").asBoolean()).isFalse();
            assertUnanswered(online.get("unanswered"));
            // Every comet is asked at once: one deadline, not one per silent comet (asked one
            // after another they would take SILENT deadlines).
            assertThat(tookMillis)
                    .isBetween(DEADLINE_MILLIS - 100, (SILENT - 1) * DEADLINE_MILLIS + 1_500);
            assertThat(web.meter("web.presence.unanswered.deadline")).isEqualTo(deadlines + SILENT);
            assertThat(web.meter("web.presence.unanswered.unavailable"))
                    .isEqualTo(unavailables + 1);

            JsonNode total = data("/1/admin/online/total");
            assertThat(counts(total)).isEqualTo(Map.of("comet-1", 1, "comet-2", 0));
            assertThat(total.get("total").asLong()).isEqualTo(1);
            assertThat(total.get("allAnswered").asBoolean()).isFalse();
            assertUnanswered(total.get("unanswered"));
            assertThat(web.meter("web.presence.unanswered.deadline"))
                    .isEqualTo(deadlines + 2 * SILENT);
            System.out.println("presence total: " + total);
        }
        String prometheus = get(web, "/metrics/prometheus", null).body();
        assertThat(prometheus)
                .containsPattern(
                        "pushbase_web_presence_unanswered_total\\{[^}]*reason=\"deadline\"[^}]*\\}"
                                + " "
                                + (deadlines + 2 * SILENT));
    }

    /**
     * Registers, once, the comets that do not answer: {@value #SILENT} that accept connections and
     * never answer (a frozen process: the kernel still accepts), one whose port refuses connections
     * (a dead process whose registration has not expired yet); waits until the web node's ring
     * holds them. Returns the ring of all five node names.
     */
    private static HashRing registerUnansweringComets() throws Exception {
        Map<String, Integer> five = new TreeMap<>(Map.of("comet-1", 1, "comet-2", 1, "ghost", 1));
        for (int i = 1; i <= SILENT; i++) {
            five.put("silent-" + i, 1);
        }
        if (refusedPort != 0) {
            return HashRing.of(five);
        }
        try (ServerSocket s = new ServerSocket(0)) {
            refusedPort = s.getLocalPort();
        }
        cluster.registerComet("ghost", refusedPort);
        for (int i = 1; i <= SILENT; i++) {
            String name = "silent-" + i;
            ServerSocket silent = new ServerSocket(0);
            silentPorts.add(silent);
            Thread acceptor =
                    new Thread(
                            () -> {
                                try {
                                    while (true) {
                                        held.add(silent.accept()); // read nothing, answer nothing
                                    }
                                } catch (IOException closed) {
                                    // the test is over
                                }
                            },
                            name);
            acceptor.setDaemon(true);
            acceptor.start();
            cluster.registerComet(name, silent.getLocalPort());
        }
        // The web node's ring now holds the three (a key placed on them names their tcp port).
        String onGhost = Rings.nameOn("g", "ghost", HashRing.of(five));
        long deadline = System.currentTimeMillis() + WAIT.toMillis();
        while (!web.get("/1/server/get?p=2&k=" + onGhost)
                .body()
                .contains(WebTestCluster.GHOST_TCP)) {
            assertThat(System.currentTimeMillis()).isLessThan(deadline);
            Thread.sleep(50);
        }
        return HashRing.of(five);
    }

    @Test
    @Order(6)
    void roomPresenceWithCometsThatDoNotAnswerNamesThemWhileTheOthersStillCount() throws Exception {
        HashRing five = registerUnansweringComets();
        String room = Rings.nameOn("hall", "comet-1", TWO, five);
        String key = Rings.nameOn("member", "comet-1", TWO, five);
        long deadlines = web.meter("web.presence.unanswered.deadline");
        long unavailables = web.meter("web.presence.unanswered.unavailable");
        // A member of the room on comet-1, joined at subscribe (the seventh argument); the comet
        // indexes the membership before it answers +j.
        try (TcpClient member =
                TcpClient.send(
                        comet1.tcp(), Wire.request("sub", key, "30", "", "pushbase.1", "", room))) {
            assertThat(member.readLine()).isEqualTo("+h\r\n");
            assertThat(member.readLine()).isEqualTo("+j " + room + "\r\n");
            JsonNode online = data("/1/admin/room/online?room=" + room);
            System.out.printf("room presence with %d frozen comets: %s%n", SILENT, online);
            assertThat(online.get("room").asText()).isEqualTo(room);
            Map<String, Integer> members = new TreeMap<>();
            for (JsonNode comet : online.get("comets")) {
                members.put(comet.get("nodeName").asText(), comet.get("members").asInt());
            }
            assertThat(members).isEqualTo(Map.of("comet-1", 1, "comet-2", 0));
            assertThat(online.get("total").asLong()).isEqualTo(1);
            assertThat(online.get("allAnswered").asBoolean()).isFalse();
            assertThat(online.get("deadlineMillis").asLong()).isEqualTo(DEADLINE_MILLIS);
            assertUnanswered(online.get("unanswered"));
            assertThat(web.meter("web.presence.unanswered.deadline")).isEqualTo(deadlines + SILENT);
            assertThat(web.meter("web.presence.unanswered.unavailable"))
                    .isEqualTo(unavailables + 1);
        }
    }

    private static void assertUnanswered(JsonNode unanswered) {
        assertThat(unanswered).hasSize(1 + SILENT);
        JsonNode ghost = unanswered.get(0);
        assertThat(ghost.get("nodeName").asText()).isEqualTo("ghost");
        assertThat(ghost.get("id").asText()).isEqualTo("127.0.0.1:" + refusedPort);
        assertThat(ghost.get("reason").asText()).isEqualTo("unavailable");
        assertThat(ghost.get("problem").asText()).startsWith("UNAVAILABLE");
        for (int i = 1; i <= SILENT; i++) {
            JsonNode silent = unanswered.get(i);
            assertThat(silent.get("nodeName").asText()).isEqualTo("silent-" + i);
            assertThat(silent.get("id").asText())
                    .isEqualTo("127.0.0.1:" + silentPorts.get(i - 1).getLocalPort());
            assertThat(silent.get("reason").asText()).isEqualTo("deadline");
            assertThat(silent.get("problem").asText()).startsWith("DEADLINE_EXCEEDED");
        }
    }
}
