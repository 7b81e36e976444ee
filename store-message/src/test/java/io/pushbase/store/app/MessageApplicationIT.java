package io.pushbase.store.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.google.protobuf.ByteString;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.pushbase.cluster.NodeDetails;
import io.pushbase.cluster.NodeDiscovery;
import io.pushbase.schema.ZkPaths;
import io.pushbase.schema.health.v1.HealthCheckResult;
import io.pushbase.schema.health.v1.HealthRequest;
import io.pushbase.schema.message.v1.AppendRequest;
import io.pushbase.schema.message.v1.FetchRequest;
import io.pushbase.schema.message.v1.MessageServiceGrpc;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceInstance;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The message node as it ships: the example {@code message.yml}, real HBase (mini cluster in a
 * child JVM), real ZooKeeper, real sockets.
 */
class MessageApplicationIT {
    private static MiniHBaseProcess hbase;
    private static TestingServer zk;
    private static DropwizardTestSupport<MessageConfiguration> app;
    private static int grpcPort;
    private static CuratorFramework observerClient;
    private static ServiceDiscovery<NodeDetails> observer;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startNode() throws Exception {
        hbase = MiniHBaseProcess.start();
        zk = new TestingServer(true);
        try (ServerSocket s = new ServerSocket(0)) {
            grpcPort = s.getLocalPort();
        }
        app =
                new DropwizardTestSupport<>(
                        MessageApplication.class,
                        "message.yml",
                        ConfigOverride.config("nodeName", "msg-it"),
                        ConfigOverride.config("grpc.port", Integer.toString(grpcPort)),
                        ConfigOverride.config("grpc.bindHost", "127.0.0.1"),
                        ConfigOverride.config("hbase.zookeeperQuorum", hbase.zookeeperQuorum()),
                        ConfigOverride.config("zookeeper.connectString", zk.getConnectString()),
                        ConfigOverride.config("server.adminConnectors[0].port", "0"));
        app.before();

        observerClient =
                CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100));
        observerClient.start();
        observer =
                NodeDiscovery.open(observerClient, ZkPaths.under(ZkPaths.DEFAULT_ROOT).discovery());
        observer.start();
    }

    @AfterAll
    static void stopNode() throws Exception {
        try {
            if (observer != null) {
                observer.close();
                observerClient.close();
            }
            if (app != null) {
                app.after();
            }
        } finally {
            if (zk != null) {
                zk.close();
            }
            if (hbase != null) {
                hbase.close();
            }
        }
    }

    @Test
    void nodeRegistersItsGrpcAddressAndStoresOverARealSocket() throws Exception {
        Collection<ServiceInstance<NodeDetails>> instances = awaitRegistration();
        assertThat(instances).hasSize(1);
        ServiceInstance<NodeDetails> me = instances.iterator().next();
        assertThat(me.getPayload().getNodeName()).isEqualTo("msg-it");
        assertThat(me.getPort()).isEqualTo(grpcPort);
        assertThat(me.getPayload().getAddresses()).containsEntry("grpc", "127.0.0.1:" + grpcPort);

        ManagedChannel channel =
                NettyChannelBuilder.forAddress(me.getAddress(), me.getPort())
                        .usePlaintext()
                        .build();
        try {
            var stub =
                    MessageServiceGrpc.newBlockingStub(channel)
                            .withDeadlineAfter(30, TimeUnit.SECONDS);
            long mid = (1L << 62) + 5;
            var appended =
                    stub.append(
                            AppendRequest.newBuilder()
                                    .setKey("app-it")
                                    .setMid(mid)
                                    .setClaim(ByteString.copyFromUtf8("app-it-1"))
                                    .setPayload(ByteString.copyFromUtf8("{\"hello\":\"node\"}"))
                                    .setExpireSeconds(600)
                                    .build());
            assertThat(appended.getAppended()).isTrue();
            var fetched = stub.fetch(FetchRequest.newBuilder().setKey("app-it").build());
            assertThat(fetched.getMessagesList()).hasSize(1);
            assertThat(fetched.getMessages(0).getMid()).isEqualTo(mid);
            assertThat(fetched.getMessages(0).getPayload().toStringUtf8())
                    .isEqualTo("{\"hello\":\"node\"}");
            // The node's own checks over gRPC, as /healthcheck runs them (Dropwizard's too).
            var health =
                    MessageServiceGrpc.newBlockingStub(channel)
                            .withDeadlineAfter(5, TimeUnit.SECONDS)
                            .health(HealthRequest.getDefaultInstance());
            assertThat(health.getChecksList())
                    .extracting(HealthCheckResult::getName, HealthCheckResult::getHealthy)
                    .contains(tuple("hbase", true), tuple("zookeeper", true));
            assertThat(health.getChecksList())
                    .filteredOn(c -> c.getName().equals("hbase"))
                    .singleElement()
                    .extracting(HealthCheckResult::getMessage)
                    .asString()
                    .startsWith("read answered in ");
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }

        String metrics = admin("/metrics").body();
        assertThat(metrics).contains("\"store.append\"").contains("\"store.fetch\"");
    }

    @Test
    void healthChecksReallyTouchHBaseAndZooKeeper() throws Exception {
        HttpResponse<String> health = admin("/healthcheck");
        assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
        assertThat(health.body())
                .contains("\"hbase\":{\"healthy\":true")
                .contains("\"zookeeper\":{\"healthy\":true");
        assertThat(admin("/ping").body()).contains("pong");
    }

    private static HttpResponse<String> admin(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.getAdminPort() + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static Collection<ServiceInstance<NodeDetails>> awaitRegistration() throws Exception {
        long deadline = System.currentTimeMillis() + 20_000;
        Collection<ServiceInstance<NodeDetails>> seen = observer.queryForInstances("message");
        while (seen.isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
            seen = observer.queryForInstances("message");
        }
        return seen;
    }
}
