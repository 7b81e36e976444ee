package io.pushbase.bench;

import io.pushbase.cluster.CuratorLifecycle;
import io.pushbase.cluster.NodeRegistration;
import io.pushbase.cluster.ZooKeeperConfiguration;
import io.pushbase.launcher.nodes.LoopbackPorts;
import io.pushbase.launcher.nodes.Role;
import io.pushbase.schema.ZkPaths;
import io.pushbase.store.app.MessageApplication;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.test.TestingServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole path of the web-node benchmark: in this JVM a ZooKeeper {@link TestingServer} and a
 * message node ({@link StoreStack}: HBase mini cluster, HBase store, the node's gRPC server)
 * registered in Curator discovery exactly as {@code MessageApplication} registers it; as child JVMs
 * the web node ({@code WebApplication server api-web/web.yml}) and optionally one comet ({@code
 * CometApplication server gateway-comet/comet.yml}), all on loopback. Owns everything it starts;
 * {@link #close()} stops it in reverse order, the children through their process handles.
 */
final class WebCluster implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebCluster.class);
    private static final ZkPaths PATHS = ZkPaths.under(ZkPaths.DEFAULT_ROOT);
    private static final Duration READY_DEADLINE = Duration.ofSeconds(120);
    private static final String MESSAGE_NODE = "bench-msg-1";

    /** Heap of each child node; G1 (the JVM's default) as the README runs them. */
    static final List<String> CHILD_JVM_FLAGS = List.of("-Xmx1g");

    private final Path repoRoot;
    private final HttpClient probe =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private TestingServer zk;
    private StoreStack store;
    private CuratorLifecycle session;
    private NodeRegistration registration;
    private NodeProcess comet;
    private LoopbackPorts cometPorts;
    private NodeProcess web;
    private InetSocketAddress webApi;
    private InetSocketAddress webAdmin;

    private WebCluster(Path repoRoot) {
        this.repoRoot = repoRoot;
    }

    /**
     * Starts everything and waits until the web node answers a pull through the message node and,
     * with a comet, places keys on it. On failure stops what had started and rethrows.
     */
    static WebCluster start(Path repoRoot, boolean withComet) throws Exception {
        WebCluster cluster = new WebCluster(repoRoot);
        try {
            cluster.startAll(withComet);
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    private void startAll(boolean withComet) throws Exception {
        zk = new TestingServer(true);
        LOG.info("ZooKeeper TestingServer at {}", zk.getConnectString());
        store = StoreStack.start();
        ZooKeeperConfiguration zkConfig = new ZooKeeperConfiguration();
        zkConfig.setConnectString(zk.getConnectString());
        session = zkConfig.build();
        session.start();
        registration =
                MessageApplication.registration(
                        session.client(), PATHS, "127.0.0.1", store.grpcPort(), MESSAGE_NODE, 1);
        registration.start();
        LOG.info("Message node {} registered (gRPC 127.0.0.1:{})", MESSAGE_NODE, store.grpcPort());

        if (withComet) {
            cometPorts = LoopbackPorts.free(Role.COMET);
            comet =
                    NodeProcess.start(
                            "comet",
                            repoRoot,
                            cometPorts,
                            zk.getConnectString(),
                            "bench-comet-1",
                            CHILD_JVM_FLAGS,
                            repoRoot.resolve("bench/target/web-bench-comet.log"));
            LOG.info("Comet pid {} started ({}), log {}", comet.pid(), cometPorts, comet.log());
        }
        LoopbackPorts webPorts = LoopbackPorts.free(Role.WEB);
        webApi = new InetSocketAddress(LoopbackPorts.HOST, webPorts.port("http"));
        webAdmin = new InetSocketAddress(LoopbackPorts.HOST, webPorts.port("admin"));
        web =
                NodeProcess.start(
                        "web",
                        repoRoot,
                        webPorts,
                        zk.getConnectString(),
                        "bench-web-1",
                        CHILD_JVM_FLAGS,
                        repoRoot.resolve("bench/target/web-bench-web.log"));
        LOG.info(
                "Web node pid {} started (api {}, admin {}), log {}",
                web.pid(),
                webApi.getPort(),
                webAdmin.getPort(),
                web.log());

        await("the web node to pull through the message node", "/1/msg/get?k=probe&m=0", 0);
        if (withComet) {
            await("the web node to place keys on the comet", "/1/server/get?k=probe&p=2", 0);
        }
    }

    /** The comet's loopback ports (null without a comet). */
    LoopbackPorts cometPorts() {
        return cometPorts;
    }

    /** The message node in this JVM. */
    StoreStack store() {
        return store;
    }

    InetSocketAddress webApi() {
        return webApi;
    }

    InetSocketAddress webAdmin() {
        return webAdmin;
    }

    /** The child processes still running, name → pid (for CPU accounting). */
    Map<String, Long> children() {
        Map<String, Long> pids = new LinkedHashMap<>();
        pids.put("web", web.pid());
        if (comet != null) {
            pids.put("comet", comet.pid());
        }
        return pids;
    }

    /** Where the web node's output goes. */
    Path webLog() {
        return web.log();
    }

    /** The JVM flags of the web node, as it reports them. */
    String webVmFlags() throws IOException, InterruptedException {
        return web.vmFlags();
    }

    /**
     * Stops the comet (SIGTERM, as an operator would) and waits until the web node has no comet for
     * a key any more, so pushes take the web node's own store path.
     */
    void stopComet() throws Exception {
        if (comet == null) {
            return;
        }
        comet.stop();
        comet = null;
        await("the web node to see no comet", "/1/server/get?k=probe&p=2", 1001);
    }

    /** Polls {@code pathAndQuery} on the web API until its answer's {@code ret} is {@code ret}. */
    private void await(String what, String pathAndQuery, int ret) throws Exception {
        long end = System.nanoTime() + READY_DEADLINE.toNanos();
        // Keys are sorted as gopush-cluster's encoder sorted them: "ret" comes last.
        String expected = "\"ret\":" + ret + "}";
        String last = "no answer yet";
        while (System.nanoTime() < end) {
            web.checkAlive();
            if (comet != null) {
                comet.checkAlive();
            }
            try {
                HttpResponse<String> answer =
                        probe.send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        "http://127.0.0.1:"
                                                                + webApi.getPort()
                                                                + pathAndQuery))
                                        .timeout(Duration.ofSeconds(5))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                last = answer.statusCode() + " " + answer.body();
                if (answer.body().endsWith(expected)) {
                    LOG.info("Ready: {} ({})", what, last);
                    return;
                }
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(250);
        }
        throw new IOException(
                "gave up waiting for " + what + " after " + READY_DEADLINE + ": " + last);
    }

    /** Stops the web node, the comet, the registration, the session, the store and ZooKeeper. */
    @Override
    public void close() {
        if (web != null) {
            web.stop();
        }
        if (comet != null) {
            comet.stop();
        }
        if (registration != null) {
            StoreStack.step("the message node's registration", registration::stop);
        }
        if (session != null) {
            StoreStack.step("the ZooKeeper session", session::stop);
        }
        if (store != null) {
            store.close();
        }
        if (zk != null) {
            StoreStack.step("ZooKeeper", zk::close);
        }
    }
}
