package io.pushbase.comet.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.health.HealthCheckRegistry;
import com.google.protobuf.ByteString;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.pushbase.cluster.CuratorLifecycle;
import io.pushbase.cluster.NodeRegistration;
import io.pushbase.cluster.ZooKeeperConfiguration;
import io.pushbase.cluster.health.NodeHealth;
import io.pushbase.comet.app.CometApplication;
import io.pushbase.comet.app.CometConfiguration;
import io.pushbase.schema.ZkPaths;
import io.pushbase.schema.comet.v1.CometServiceGrpc;
import io.pushbase.schema.comet.v1.PushReply;
import io.pushbase.schema.comet.v1.PushRequest;
import io.pushbase.store.LogSpace;
import io.pushbase.store.StoreLimits;
import io.pushbase.store.app.MessageApplication;
import io.pushbase.store.cursor.Ack;
import io.pushbase.store.cursor.AckResult;
import io.pushbase.store.cursor.CursorLimits;
import io.pushbase.store.cursor.CursorStore;
import io.pushbase.store.cursor.DeviceCursor;
import io.pushbase.store.cursor.KeyCursors;
import io.pushbase.store.memory.InMemoryCursorStore;
import io.pushbase.store.memory.InMemoryMessageStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.curator.test.TestingServer;

/**
 * A small real cluster for comet integration tests: a ZooKeeper ({@link TestingServer}), message
 * nodes ({@code MessageStoreService} gRPC servers on loopback sockets over one shared in-memory
 * store and its device cursors, registered in discovery exactly as message nodes register, with a
 * message node's health checks: its {@code hbase} check then reads the in-memory store) and comets
 * (the real application from the shipped {@code comet.yml}). Owns everything it starts; {@link
 * #close()} stops it all in reverse order.
 */
public final class CometTestCluster implements AutoCloseable {
    public static final ZkPaths PATHS = ZkPaths.under(ZkPaths.DEFAULT_ROOT);

    /** The comets' system-property prefix for overrides: Dropwizard's default. */
    private static final String DEFAULT_PREFIX = "dw.";

    private final TestingServer zk;
    private final CuratorLifecycle messageSession;
    private final StoreLimits limits = StoreLimits.defaults(3600);
    private final InMemoryMessageStore store = new InMemoryMessageStore(limits);
    private final InMemoryCursorStore cursors =
            new InMemoryCursorStore(
                    new CursorLimits(CursorLimits.DEFAULT_MAX_DEVICES, 3600, 10_000),
                    store::head,
                    System::currentTimeMillis);
    // (Pushbase, issue 15) When set, every message node's Cursors read fails with it (a store
    // failure a node cannot retry): the comet's side of a failed cursor read.
    private final AtomicReference<RuntimeException> cursorsFailure = new AtomicReference<>();
    private final CursorStore servedCursors =
            new CursorStore() {
                @Override
                public CompletableFuture<List<AckResult>> ackMany(List<Ack> acks) {
                    return cursors.ackMany(acks);
                }

                @Override
                public CompletableFuture<KeyCursors> cursors(String key) {
                    RuntimeException failure = cursorsFailure.get();
                    return failure != null
                            ? CompletableFuture.failedFuture(failure)
                            : cursors.cursors(key);
                }
            };
    // (Pushbase, issue 14) The room logs every message node serves, as a real node's rooms store.
    private final InMemoryMessageStore roomStore =
            new InMemoryMessageStore(limits, System::currentTimeMillis, LogSpace.ROOMS);
    private final List<Server> messageServers = new ArrayList<>();
    private final List<NodeHealth> messageHealth = new ArrayList<>();
    private final List<NodeRegistration> registrations = new ArrayList<>();
    private final List<Comet> comets = new ArrayList<>();

    /** One running comet and the ports it listens on. */
    public record Comet(DropwizardTestSupport<CometConfiguration> app, int tcp, int ws, int grpc) {
        public ManagedChannel channel() {
            return NettyChannelBuilder.forAddress("127.0.0.1", grpc).usePlaintext().build();
        }

        public CometServiceGrpc.CometServiceBlockingStub stub(ManagedChannel channel) {
            return CometServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(30, TimeUnit.SECONDS);
        }

        /** Pushes one message through this comet's gRPC service. */
        public PushReply push(String key, String json, long expire) {
            ManagedChannel channel = channel();
            try {
                return stub(channel)
                        .push(
                                PushRequest.newBuilder()
                                        .setKey(key)
                                        .setPayload(ByteString.copyFromUtf8(json))
                                        .setExpireSeconds(expire)
                                        .build());
            } finally {
                channel.shutdownNow();
            }
        }

        public int adminPort() {
            return app.getAdminPort();
        }

        /**
         * The count of counter or meter {@code name} in this comet's {@code /metrics}; 0 if absent.
         */
        public long count(String name) throws IOException, InterruptedException {
            Matcher m =
                    Pattern.compile("\"" + Pattern.quote(name) + "\":\\{\"count\":(\\d+)")
                            .matcher(admin("/metrics"));
            return m.find() ? Long.parseLong(m.group(1)) : 0;
        }

        /** The body of {@code GET <path>} on this comet's admin port, which must answer 200. */
        public String admin(String path) throws IOException, InterruptedException {
            HttpResponse<String> response =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(
                                                    URI.create(
                                                            "http://127.0.0.1:"
                                                                    + adminPort()
                                                                    + path))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (response.statusCode() != 200) {
                throw new IOException(
                        "GET "
                                + path
                                + " answered "
                                + response.statusCode()
                                + ": "
                                + response.body());
            }
            return response.body();
        }
    }

    /** A ZooKeeper and {@code messageNodes} message nodes. */
    public CometTestCluster(int messageNodes) throws Exception {
        zk = new TestingServer(true);
        ZooKeeperConfiguration zkConfig = new ZooKeeperConfiguration();
        zkConfig.setConnectString(zk.getConnectString());
        messageSession = zkConfig.build();
        messageSession.start();
        for (int i = 1; i <= messageNodes; i++) {
            startMessageNode("msg-" + i);
        }
    }

    /** Where the cluster's ZooKeeper listens, for nodes started beside the comets. */
    public String zookeeperConnectString() {
        return zk.getConnectString();
    }

    public InMemoryMessageStore store() {
        return store;
    }

    /** The message nodes' device cursors (Pushbase, acknowledgements), over {@link #store()}. */
    public InMemoryCursorStore cursors() {
        return cursors;
    }

    /**
     * (Pushbase) {@code key}'s live device cursors as the message nodes keep them: device → mid.
     */
    public Map<String, Long> cursorMids(String key) throws Exception {
        Map<String, Long> mids = new TreeMap<>();
        for (DeviceCursor c : cursors.cursors(key).get(5, TimeUnit.SECONDS).cursors()) {
            mids.put(c.device(), c.mid());
        }
        return mids;
    }

    /**
     * (Pushbase) Waits (bounded, 10 s) until {@code key}'s cursors are exactly {@code expected}.
     */
    public void awaitCursors(String key, Map<String, Long> expected) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (!cursorMids(key).equals(expected) && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertThat(cursorMids(key)).isEqualTo(expected);
    }

    /**
     * (Pushbase, issue 15) Makes every message node's {@code Cursors} fail with {@code failure}
     * from now on; null answers again.
     */
    public void failCursors(RuntimeException failure) {
        cursorsFailure.set(failure);
    }

    /** (Pushbase) The room logs behind every message node. */
    public InMemoryMessageStore roomStore() {
        return roomStore;
    }

    public List<Server> messageServers() {
        return messageServers;
    }

    private void startMessageNode(String name) throws Exception {
        HealthCheckRegistry checks = new HealthCheckRegistry();
        MessageApplication.registerHealthChecks(
                checks, store, 5_000, messageSession.client(), PATHS);
        NodeHealth health = new NodeHealth(checks);
        messageHealth.add(health);
        Server server =
                MessageApplication.grpcServerBuilder(
                                new InetSocketAddress("127.0.0.1", 0),
                                store,
                                roomStore,
                                servedCursors,
                                limits,
                                name,
                                health)
                        .build()
                        .start();
        messageServers.add(server);
        NodeRegistration registration =
                MessageApplication.registration(
                        messageSession.client(), PATHS, "127.0.0.1", server.getPort(), name, 1);
        registration.start();
        registrations.add(registration);
    }

    /** Starts a comet named {@code nodeName} on free loopback ports, with extra overrides. */
    public Comet startComet(String nodeName, ConfigOverride... extra) throws Exception {
        int tcp = freePort();
        int ws = freePort();
        int grpc = freePort();
        List<ConfigOverride> overrides = nodeOverrides(DEFAULT_PREFIX);
        overrides.addAll(
                List.of(
                        ConfigOverride.config("nodeName", nodeName),
                        ConfigOverride.config("clients.tcp.bindHost", "127.0.0.1"),
                        ConfigOverride.config("clients.tcp.port", Integer.toString(tcp)),
                        ConfigOverride.config("clients.ws.bindHost", "127.0.0.1"),
                        ConfigOverride.config("clients.ws.port", Integer.toString(ws)),
                        ConfigOverride.config("grpc.bindHost", "127.0.0.1"),
                        ConfigOverride.config("grpc.port", Integer.toString(grpc))));
        overrides.addAll(List.of(extra));
        DropwizardTestSupport<CometConfiguration> app =
                new DropwizardTestSupport<>(
                        CometApplication.class,
                        shippedConfig(),
                        overrides.toArray(ConfigOverride[]::new));
        app.before();
        Comet comet = new Comet(app, tcp, ws, grpc);
        comets.add(comet);
        return comet;
    }

    /**
     * What every node of this cluster is started with, under the system-property {@code prefix} of
     * its {@code DropwizardTestSupport}: this cluster's ZooKeeper with a short session (a stopped
     * node leaves discovery quickly), short attempts on message nodes, and a free admin port.
     */
    public List<ConfigOverride> nodeOverrides(String prefix) {
        return new ArrayList<>(
                List.of(
                        ConfigOverride.config(
                                prefix, "zookeeper.connectString", zk.getConnectString()),
                        ConfigOverride.config(prefix, "zookeeper.sessionTimeout", "4s"),
                        ConfigOverride.config(prefix, "messageNodes.attemptTimeout", "500ms"),
                        ConfigOverride.config(prefix, "server.adminConnectors[0].port", "0")));
    }

    /** Stops a comet now (as a graceful shutdown of its process would). */
    public void stop(Comet comet) {
        if (comets.remove(comet)) {
            comet.app().after();
        }
    }

    /** The shipped comet.yml, from this module's tests or a sibling module's. */
    private static String shippedConfig() {
        return java.nio.file.Files.exists(java.nio.file.Path.of("comet.yml"))
                ? "comet.yml"
                : "../gateway-comet/comet.yml";
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        try {
            for (int i = comets.size() - 1; i >= 0; i--) {
                comets.get(i).app().after();
            }
            comets.clear();
            for (NodeRegistration r : registrations) {
                r.stop();
            }
            for (Server s : messageServers) {
                s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            messageHealth.forEach(NodeHealth::stop);
        } finally {
            messageSession.stop();
            zk.close();
        }
    }
}
