package io.pushbase.comet.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.pushbase.cluster.CuratorLifecycle;
import io.pushbase.cluster.NodeDetails;
import io.pushbase.cluster.NodeRegistration;
import io.pushbase.cluster.ZooKeeperConfiguration;
import io.pushbase.comet.testing.Wire;
import io.pushbase.schema.ZkPaths;
import io.pushbase.schema.comet.v1.CometPingRequest;
import io.pushbase.schema.comet.v1.CometServiceGrpc;
import io.pushbase.schema.comet.v1.PushReply;
import io.pushbase.schema.comet.v1.PushRequest;
import io.pushbase.store.StoreLimits;
import io.pushbase.store.StoredMessage;
import io.pushbase.store.grpc.MessageStoreService;
import io.pushbase.store.memory.InMemoryMessageStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The comet as it ships ({@code comet.yml}) against real message nodes ({@code MessageStoreService}
 * gRPC servers on loopback sockets, registered in a real ZooKeeper) with real TCP and WebSocket
 * clients. The message nodes share one in-memory store standing in for HBase (the store has its own
 * HBase tests); what is under test is the comet.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CometApplicationIT {
    private static final String NODE = "comet-it";
    private static final ZkPaths PATHS = ZkPaths.under(ZkPaths.DEFAULT_ROOT);
    private static TestingServer zk;
    private static CuratorLifecycle messageSession;
    private static final InMemoryMessageStore store =
            new InMemoryMessageStore(StoreLimits.defaults(3600));
    private static final List<Server> messageServers = new ArrayList<>();
    private static final List<NodeRegistration> registrations = new ArrayList<>();
    private static Comet leader;
    private static Comet standby;

    /** One comet process-in-a-test: its app and the ports it listens on. */
    private record Comet(DropwizardTestSupport<CometConfiguration> app, int tcp, int ws, int grpc) {

        CometServiceGrpc.CometServiceBlockingStub stub(ManagedChannel channel) {
            return CometServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(30, TimeUnit.SECONDS);
        }

        ManagedChannel channel() {
            return NettyChannelBuilder.forAddress("127.0.0.1", grpc).usePlaintext().build();
        }
    }

    @BeforeAll
    static void startCluster() throws Exception {
        zk = new TestingServer(true);
        ZooKeeperConfiguration zkConfig = new ZooKeeperConfiguration();
        zkConfig.setConnectString(zk.getConnectString());
        messageSession = zkConfig.build();
        messageSession.start();
        for (int i = 1; i <= 2; i++) {
            startMessageNode("msg-" + i);
        }
        leader = startComet();
        awaitAdmitted(leader, "warm-up");
    }

    private static void startMessageNode(String name) throws Exception {
        Server server =
                NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                        .directExecutor()
                        .addService(new MessageStoreService(store, name))
                        .build()
                        .start();
        messageServers.add(server);
        NodeRegistration registration =
                new NodeRegistration(
                        messageSession.client(),
                        PATHS.discovery(),
                        ZkPaths.SERVICE_MESSAGE,
                        "127.0.0.1",
                        server.getPort(),
                        new NodeDetails(name, 1, Map.of("grpc", "127.0.0.1:" + server.getPort())));
        registration.start();
        registrations.add(registration);
    }

    private static Comet startComet() throws Exception {
        int tcp = freePort();
        int ws = freePort();
        int grpc = freePort();
        DropwizardTestSupport<CometConfiguration> app =
                new DropwizardTestSupport<>(
                        CometApplication.class,
                        "comet.yml",
                        ConfigOverride.config("nodeName", NODE),
                        ConfigOverride.config("clients.tcp.bindHost", "127.0.0.1"),
                        ConfigOverride.config("clients.tcp.port", Integer.toString(tcp)),
                        ConfigOverride.config("clients.ws.bindHost", "127.0.0.1"),
                        ConfigOverride.config("clients.ws.port", Integer.toString(ws)),
                        ConfigOverride.config("grpc.bindHost", "127.0.0.1"),
                        ConfigOverride.config("grpc.port", Integer.toString(grpc)),
                        ConfigOverride.config("zookeeper.connectString", zk.getConnectString()),
                        ConfigOverride.config("zookeeper.sessionTimeout", "4s"),
                        ConfigOverride.config("messageNodes.attemptTimeout", "500ms"),
                        ConfigOverride.config("server.adminConnectors[0].port", "0"));
        app.before();
        return new Comet(app, tcp, ws, grpc);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        try {
            for (Comet c : new Comet[] {standby, leader}) {
                if (c != null) {
                    c.app().after();
                }
            }
            for (NodeRegistration r : registrations) {
                r.stop();
            }
            for (Server s : messageServers) {
                s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        } finally {
            if (messageSession != null) {
                messageSession.stop();
            }
            if (zk != null) {
                zk.close();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    // ---- a raw gopush-cluster TCP client ------------------------------------------------------

    private static String sub(String key, String version) {
        return version == null
                ? Wire.request("sub", key, "30")
                : Wire.request("sub", key, "30", "", version);
    }

    /** Subscribes over TCP; returns the socket and the comet's first reply. */
    private static Socket subscribe(Comet comet, String key, String version, StringBuilder reply)
            throws IOException {
        Socket socket = new Socket("127.0.0.1", comet.tcp());
        socket.setSoTimeout(10_000);
        OutputStream out = socket.getOutputStream();
        out.write(sub(key, version).getBytes(StandardCharsets.UTF_8));
        out.flush();
        reply.append(readLine(socket.getInputStream()));
        return socket;
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            line.write(b);
            if (b == '\n') {
                break;
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    /** Reads one pushed message: {@code $<len>\r\n<json>\r\n}; returns the JSON. */
    private static String readPush(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        String header = readLine(in);
        assertThat(header).startsWith("$").endsWith("\r\n");
        int len = Integer.parseInt(header.substring(1, header.length() - 2));
        byte[] body = in.readNBytes(len + 2);
        assertThat(new String(body, len, 2, StandardCharsets.US_ASCII)).isEqualTo("\r\n");
        return new String(body, 0, len, StandardCharsets.UTF_8);
    }

    /** Waits until the comet leads and owns keys (its TCP port admits subscriptions). */
    private static void awaitAdmitted(Comet comet, String key) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        String last = "";
        while (System.currentTimeMillis() < deadline) {
            StringBuilder reply = new StringBuilder();
            try (Socket s = subscribe(comet, key, null, reply)) {
                last = reply.toString();
                if (last.equals("+h\r\n")) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("comet never admitted a subscription; last reply " + last);
    }

    private static PushReply push(Comet comet, String key, String json, long expire) {
        ManagedChannel channel = comet.channel();
        try {
            return comet.stub(channel)
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

    // ---- tests --------------------------------------------------------------------------------

    @Test
    @Order(1)
    void tcpAndWebSocketSubscribersGetAStoredPushEachInTheirFormat() throws Exception {
        StringBuilder tcpReply = new StringBuilder();
        try (Socket old = subscribe(leader, "Terry-Mao", null, tcpReply)) {
            assertThat(tcpReply.toString()).isEqualTo("+h\r\n");
            BlockingQueue<String> frames = new LinkedBlockingQueue<>();
            WebSocket ws =
                    HttpClient.newHttpClient()
                            .newWebSocketBuilder()
                            .buildAsync(
                                    URI.create(
                                            "ws://127.0.0.1:"
                                                    + leader.ws()
                                                    + "/sub?key=Terry-Mao&heartbeat=30&ver=1"),
                                    new WebSocket.Listener() {
                                        @Override
                                        public CompletionStage<?> onText(
                                                WebSocket w, CharSequence data, boolean last) {
                                            frames.add(data.toString());
                                            w.request(1);
                                            return null;
                                        }
                                    })
                            .get(10, TimeUnit.SECONDS);
            try {
                assertThat(frames.poll(10, TimeUnit.SECONDS)).isEqualTo("+h\r\n");

                PushReply reply = push(leader, "Terry-Mao", "{\"test\":1}", 600);
                long mid = reply.getMid();

                assertThat(reply.getDelivered()).isEqualTo(2);
                assertThat(readPush(old))
                        .isEqualTo("{\"msg\":\"{\\\"test\\\":1}\",\"mid\":" + mid + ",\"gid\":0}");
                assertThat(frames.poll(10, TimeUnit.SECONDS))
                        .isEqualTo("{\"msg\":{\"test\":1},\"mid\":" + mid + ",\"gid\":0}");
                assertThat(store.fetch("Terry-Mao", 0, 0).get(5, TimeUnit.SECONDS))
                        .containsExactly(
                                new StoredMessage(
                                        mid, "{\"test\":1}".getBytes(StandardCharsets.UTF_8)));
            } finally {
                ws.abort();
            }
        }
    }

    @Test
    @Order(2)
    void pushesKeepSucceedingWhileAMessageNodeIsKilled() throws Exception {
        StringBuilder reply = new StringBuilder();
        try (Socket client = subscribe(leader, "steady", "1", reply)) {
            assertThat(reply.toString()).isEqualTo("+h\r\n");
            List<Long> acknowledged = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                if (i == 20) {
                    // A hard death: the server drops everything, its registration stays.
                    messageServers.get(0).shutdownNow();
                }
                acknowledged.add(push(leader, "steady", "{\"i\":" + i + "}", 600).getMid());
            }
            assertThat(acknowledged).isSorted().doesNotHaveDuplicates();
            List<Long> received = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                String json = readPush(client);
                assertThat(json).startsWith("{\"msg\":{\"i\":" + i + "},");
                received.add(Long.parseLong(json.replaceAll(".*\"mid\":(\\d+).*", "$1")));
            }
            assertThat(received).isEqualTo(acknowledged);
            assertThat(
                            store.fetch("steady", 0, 0).get(5, TimeUnit.SECONDS).stream()
                                    .map(StoredMessage::mid)
                                    .toList())
                    .isEqualTo(acknowledged);
        }
    }

    @Test
    @Order(3)
    void aStandbyWithTheSameNodeNameRefusesKeysThenTakesOverWhenTheLeaderStops() throws Exception {
        standby = startComet();
        ManagedChannel channel = standby.channel();
        try {
            assertThat(standby.stub(channel).ping(CometPingRequest.getDefaultInstance()).getRole())
                    .isEqualTo("standby");
        } finally {
            channel.shutdownNow();
        }
        StringBuilder refused = new StringBuilder();
        try (Socket s = subscribe(standby, "handover", null, refused)) {
            assertThat(refused.toString()).isEqualTo("-n\r\n");
        }
        long before = push(leader, "handover", "{\"by\":\"leader\"}", 600).getMid();

        leader.app().after();
        leader = null;

        awaitAdmitted(standby, "handover");
        long after = push(standby, "handover", "{\"by\":\"new leader\"}", 600).getMid();
        assertThat(after).isGreaterThan(before);
        assertThat(
                        store.fetch("handover", 0, 0).get(5, TimeUnit.SECONDS).stream()
                                .map(StoredMessage::mid)
                                .toList())
                .containsExactly(before, after);
    }
}
