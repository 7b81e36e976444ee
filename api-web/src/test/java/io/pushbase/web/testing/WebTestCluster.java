package io.pushbase.web.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.pushbase.cluster.CuratorLifecycle;
import io.pushbase.cluster.NodeDetails;
import io.pushbase.cluster.NodeRegistration;
import io.pushbase.cluster.ZooKeeperConfiguration;
import io.pushbase.cluster.ring.HashRing;
import io.pushbase.comet.testing.CometTestCluster;
import io.pushbase.comet.testing.CometTestCluster.Comet;
import io.pushbase.comet.testing.TcpClient;
import io.pushbase.schema.ZkPaths;
import io.pushbase.web.app.WebApplication;
import io.pushbase.web.app.WebConfiguration;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A real cluster for web-node integration tests: the comet test cluster (ZooKeeper {@code
 * TestingServer}, message nodes over the in-memory store, real comets) plus web nodes, each the
 * real application from the shipped {@code web.yml} on free loopback ports. Owns everything it
 * starts; {@link #close()} stops it all.
 */
public final class WebTestCluster implements AutoCloseable {
    /**
     * Web nodes read their overrides under their own system-property prefix: the comets' ({@code
     * dw.}) stay set while they run and would not parse as a web configuration.
     */
    public static final String PREFIX = "pbweb.";

    private final CometTestCluster comets;
    private final List<Web> webs = new ArrayList<>();
    private final List<NodeRegistration> registrations = new ArrayList<>();
    private CuratorLifecycle session;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** One running web node. */
    public record Web(DropwizardTestSupport<WebConfiguration> app) {
        public int port() {
            return app.getLocalPort();
        }

        /** The admin port: Jetty's connectors are the application's, then web.yml's admin two. */
        public int adminPort() {
            return app.getPort(1);
        }

        /**
         * The operators' listener (web.yml's {@code ops}): the admin pages on a port of their own.
         */
        public int opsPort() {
            return app.getPort(2);
        }

        /** GET on the external API; {@code pathAndQuery} starts with '/'. */
        public HttpResponse<String> get(String pathAndQuery)
                throws IOException, InterruptedException {
            return send(port(), "GET", pathAndQuery, null, null);
        }

        /** POST on the admin API. */
        public HttpResponse<String> post(String pathAndQuery, String body)
                throws IOException, InterruptedException {
            return send(adminPort(), "POST", pathAndQuery, body, null);
        }

        /** POST of raw bytes on the admin API. */
        public HttpResponse<String> post(String pathAndQuery, byte[] body)
                throws IOException, InterruptedException {
            return sendWith(
                    adminPort(),
                    "POST",
                    pathAndQuery,
                    HttpRequest.BodyPublishers.ofByteArray(body),
                    null);
        }

        /** POST on the admin API with request headers (e.g. {@code Idempotency-Key}). */
        public HttpResponse<String> post(
                String pathAndQuery, String body, Map<String, String> headers)
                throws IOException, InterruptedException {
            HttpRequest.Builder request =
                    HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + adminPort() + pathAndQuery))
                            .timeout(Duration.ofSeconds(30))
                            .POST(HttpRequest.BodyPublishers.ofString(body));
            headers.forEach(request::header);
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }

        /** A meter's count from the admin port's {@code /metrics}; 0 while it is not registered. */
        public long meter(String name) throws IOException, InterruptedException {
            JsonNode meters =
                    JSON.readTree(send(adminPort(), "GET", "/metrics", null, null).body())
                            .get("meters");
            return meters.has(name) ? meters.get(name).get("count").asLong() : 0;
        }

        /** The mids stored for {@code key}, oldest first, as the HTTP pull answers them. */
        public List<Long> storedMids(String key) throws IOException, InterruptedException {
            List<Long> mids = new ArrayList<>();
            for (JsonNode m :
                    JSON.readTree(get("/1/msg/get?k=" + q(key) + "&m=0").body())
                            .path("data")
                            .path("msgs")) {
                mids.add(m.get("mid").asLong());
            }
            return mids;
        }

        public HttpResponse<String> send(
                int port, String method, String pathAndQuery, String body, String authorization)
                throws IOException, InterruptedException {
            return sendWith(
                    port,
                    method,
                    pathAndQuery,
                    body == null
                            ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body),
                    authorization);
        }

        private HttpResponse<String> sendWith(
                int port,
                String method,
                String pathAndQuery,
                HttpRequest.BodyPublisher body,
                String authorization)
                throws IOException, InterruptedException {
            HttpRequest.Builder request =
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                            .timeout(Duration.ofSeconds(30))
                            .method(method, body);
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    public WebTestCluster(int messageNodes) throws Exception {
        comets = new CometTestCluster(messageNodes);
    }

    /**
     * Registers in discovery a comet named {@code nodeName} whose gRPC service is whatever listens
     * on {@code grpcPort} (a test double, or nothing), its client addresses the fixed {@link
     * #GHOST_TCP} and {@code 127.0.0.1:16968}: web nodes route its keys to it. Stopped by {@link
     * #close()}.
     */
    public void registerComet(String nodeName, int grpcPort) throws Exception {
        if (session == null) {
            ZooKeeperConfiguration zk = new ZooKeeperConfiguration();
            zk.setConnectString(comets.zookeeperConnectString());
            session = zk.build();
            session.start();
        }
        NodeRegistration registration =
                new NodeRegistration(
                        session.client(),
                        CometTestCluster.PATHS.discovery(),
                        ZkPaths.SERVICE_COMET,
                        "127.0.0.1",
                        grpcPort,
                        new NodeDetails(
                                nodeName,
                                1,
                                Map.of(
                                        "tcp",
                                        GHOST_TCP,
                                        "ws",
                                        "127.0.0.1:16968",
                                        "grpc",
                                        "127.0.0.1:" + grpcPort)));
        registration.start();
        registrations.add(registration);
    }

    /** The TCP address of comets {@link #registerComet registered} by tests. */
    public static final String GHOST_TCP = "127.0.0.1:16969";

    /** Waits until {@code web}'s lookup names a {@link #registerComet registered} comet. */
    public static void awaitRegisteredComet(Web web) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (!web.get("/1/server/get?p=2&k=a").body().contains(GHOST_TCP)) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("the web node never saw the registered comet");
            }
            Thread.sleep(50);
        }
    }

    public CometTestCluster comets() {
        return comets;
    }

    /**
     * Starts a web node from web.yml on free loopback ports, with extra overrides (made with {@link
     * #PREFIX}).
     */
    public Web startWeb(ConfigOverride... extra) throws Exception {
        List<ConfigOverride> overrides = comets.nodeOverrides(PREFIX);
        overrides.addAll(
                List.of(
                        ConfigOverride.config(PREFIX, "comets.pushTimeout", "5s"),
                        ConfigOverride.config(
                                PREFIX, "server.applicationConnectors[0].bindHost", "127.0.0.1"),
                        ConfigOverride.config(PREFIX, "server.applicationConnectors[0].port", "0"),
                        ConfigOverride.config(PREFIX, "server.adminConnectors[1].port", "0")));
        overrides.addAll(List.of(extra));
        DropwizardTestSupport<WebConfiguration> app =
                new DropwizardTestSupport<>(
                        WebApplication.class,
                        "web.yml",
                        PREFIX,
                        overrides.toArray(ConfigOverride[]::new));
        app.before();
        Web web = new Web(app);
        webs.add(web);
        return web;
    }

    /**
     * Waits (at most 30 s) until {@code web} and the comets agree on the ring of {@code comets} (by
     * node name, weight 1 each): for each of 20 probe keys the lookup names the owner's TCP port,
     * that comet admits the key ({@code +h}) and every other comet refuses it. The refusals matter:
     * a comet's ring and its room peers are one view of discovery, and a comet that has not seen a
     * newer comet yet still admits its own keys, but would not send that comet its rooms' messages
     * (a CI run pushed to a room before the owner saw a member's comet).
     */
    public static void awaitRing(Web web, Map<String, Comet> comets) throws Exception {
        Map<String, Integer> weights = new TreeMap<>();
        comets.keySet().forEach(name -> weights.put(name, 1));
        HashRing ring = HashRing.of(weights);
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            boolean agreed = true;
            for (int i = 0; i < 20 && agreed; i++) {
                String key = "probe-" + i;
                Comet owner = comets.get(ring.nodeFor(key).orElseThrow());
                agreed =
                        web.get("/1/server/get?p=2&k=" + key)
                                .body()
                                .equals(
                                        "{\"data\":{\"server\":\"127.0.0.1:"
                                                + owner.tcp()
                                                + "\"},\"ret\":0}");
                for (Comet comet : comets.values()) {
                    agreed &= admits(comet, key) == (comet == owner);
                }
            }
            if (agreed) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("web node and comets never agreed on ring " + weights);
    }

    /** Whether {@code comet} admits a TCP subscriber of {@code key} ({@code +h}) now. */
    public static boolean admits(Comet comet, String key) throws Exception {
        try (TcpClient client = TcpClient.subscribe(comet.tcp(), key, null, null)) {
            return client.readLine().equals("+h\r\n");
        }
    }

    /** {@code s} percent-encoded for a query string (UTF-8). */
    public static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws Exception {
        try {
            for (int i = webs.size() - 1; i >= 0; i--) {
                webs.get(i).app().after();
            }
            webs.clear();
            for (NodeRegistration r : registrations) {
                r.stop();
            }
            if (session != null) {
                session.stop();
            }
        } finally {
            comets.close();
        }
    }
}
