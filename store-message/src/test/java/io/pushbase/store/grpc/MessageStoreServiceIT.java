package io.pushbase.store.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.health.HealthCheckRegistry;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.pushbase.cluster.grpc.GrpcServer;
import io.pushbase.cluster.health.NodeHealth;
import io.pushbase.schema.hbase.MessageTableLayout;
import io.pushbase.schema.hbase.RowKeys;
import io.pushbase.schema.health.v1.HealthCheckResult;
import io.pushbase.schema.health.v1.HealthRequest;
import io.pushbase.schema.message.v1.AppendManyReply;
import io.pushbase.schema.message.v1.AppendManyRequest;
import io.pushbase.schema.message.v1.AppendOutcome;
import io.pushbase.schema.message.v1.AppendRequest;
import io.pushbase.schema.message.v1.DeleteRequest;
import io.pushbase.schema.message.v1.FetchReply;
import io.pushbase.schema.message.v1.FetchRequest;
import io.pushbase.schema.message.v1.LastRequest;
import io.pushbase.schema.message.v1.MessageServiceGrpc;
import io.pushbase.schema.message.v1.MessageServiceGrpc.MessageServiceBlockingStub;
import io.pushbase.schema.message.v1.PingRequest;
import io.pushbase.schema.message.v1.StoredMessage;
import io.pushbase.store.InstrumentedMessageStore;
import io.pushbase.store.MessageStore;
import io.pushbase.store.StoreLimits;
import io.pushbase.store.hbase.HBaseClient;
import io.pushbase.store.hbase.HBaseHealthCheck;
import io.pushbase.store.hbase.HBaseMessageStore;
import io.pushbase.store.hbase.KeyTrimmer;
import io.pushbase.store.hbase.MiniHBase;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** MessageService over gRPC (in-process transport) on a real HBase store. */
@ExtendWith(MiniHBase.class)
class MessageStoreServiceIT {
    private static final StoreLimits LIMITS = StoreLimits.defaults(86_400);
    private static HBaseClient client;
    private static MetricRegistry metrics;
    private static GrpcServer server;
    private static ManagedChannel channel;
    private static MessageServiceBlockingStub stub;
    private static NodeHealth health;
    private final String run = UUID.randomUUID().toString().substring(0, 8);

    private GrpcServer unreachableServer;
    private ManagedChannel unreachableChannel;
    private HBaseClient unreachableClient;
    private NodeHealth unreachableHealth;

    @BeforeAll
    static void startService(MiniHBase mini) throws Exception {
        client =
                new HBaseClient(
                        mini.clientConfiguration(),
                        new MessageTableLayout("pushbase", "message_grpc", 86_400),
                        true,
                        60_000,
                        5_000,
                        2_000);
        client.start();
        metrics = new MetricRegistry();
        MessageStore store =
                new InstrumentedMessageStore(
                        new HBaseMessageStore(
                                client::table,
                                LIMITS,
                                RowKeys.standard(),
                                new KeyTrimmer(
                                        client::table,
                                        RowKeys.standard(),
                                        100,
                                        86_400,
                                        10,
                                        8,
                                        1000,
                                        metrics),
                                10_000),
                        metrics);
        HealthCheckRegistry checks = new HealthCheckRegistry();
        checks.register("hbase", new HBaseHealthCheck(store, 10_000));
        health = new NodeHealth(checks);
        String name = InProcessServerBuilder.generateName();
        server =
                new GrpcServer(
                        InProcessServerBuilder.forName(name)
                                .directExecutor()
                                .addService(new MessageStoreService(store, "test-node", health)),
                        1_000);
        server.start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        stub = MessageServiceGrpc.newBlockingStub(channel).withDeadlineAfter(1, TimeUnit.HOURS);
    }

    @AfterAll
    static void stopService() throws Exception {
        channel.shutdownNow();
        server.stop();
        health.stop();
        client.stop();
    }

    @AfterEach
    void stopUnreachable() throws Exception {
        if (unreachableChannel != null) {
            unreachableChannel.shutdownNow();
            unreachableServer.stop();
            unreachableHealth.stop();
            unreachableClient.stop();
        }
    }

    private String key(String name) {
        return "grpc-" + run + "-" + name;
    }

    private static ByteString json(String s) {
        return ByteString.copyFrom(s, StandardCharsets.UTF_8);
    }

    private AppendRequest append(String key, long mid, String payload, long expire) {
        return AppendRequest.newBuilder()
                .setKey(key)
                .setMid(mid)
                .setClaim(json("claim-" + mid))
                .setPayload(json(payload))
                .setExpireSeconds(expire)
                .build();
    }

    @Test
    void appendedMessagesComeBackExactlyThroughEveryRpc() {
        String k = key("rt");
        long mid = (1L << 62) + 7;
        assertThat(stub.append(append(k, mid, "{\"test\":1}", 600)).getAppended()).isTrue();
        assertThat(stub.append(append(k, mid + 1, "{\"test\":2}", 600)).getAppended()).isTrue();

        FetchReply all = stub.fetch(FetchRequest.newBuilder().setKey(k).build());
        assertThat(all.getMessagesList()).hasSize(2);
        assertThat(all.getMessages(0).getMid()).isEqualTo(mid);
        assertThat(all.getMessages(0).getPayload().toStringUtf8()).isEqualTo("{\"test\":1}");
        assertThat(all.getMessages(1).getMid()).isEqualTo(mid + 1);

        FetchReply after =
                stub.fetch(FetchRequest.newBuilder().setKey(k).setAfter(mid).setLimit(10).build());
        assertThat(after.getMessagesList()).extracting(m -> m.getMid()).containsExactly(mid + 1);

        assertThat(stub.last(LastRequest.newBuilder().setKey(k).build()).getMid())
                .isEqualTo(mid + 1);
        stub.delete(DeleteRequest.newBuilder().setKey(k).build());
        assertThat(stub.last(LastRequest.newBuilder().setKey(k).build()).getMid()).isZero();
        assertThat(stub.ping(PingRequest.getDefaultInstance()).getNode()).isEqualTo("test-node");
        assertThat(metrics.timer("store.append").getCount()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void fetchAnswersTheFloorOnlyWhenAsked() {
        String k = key("floor");
        long mid = System.currentTimeMillis() * 10_000;
        assertThat(stub.append(append(k, mid, "{\"test\":1}", 600)).getAppended()).isTrue();
        assertThat(stub.append(append(k, mid + 1, "{\"test\":2}", 600)).getAppended()).isTrue();

        FetchReply plain = stub.fetch(FetchRequest.newBuilder().setKey(k).setAfter(mid).build());
        assertThat(plain.hasFloor()).isFalse();
        FetchRequest withFloor =
                FetchRequest.newBuilder().setKey(k).setAfter(mid).setWithFloor(true).build();
        FetchReply asked = stub.fetch(withFloor);
        assertThat(asked.getMessagesList()).extracting(m -> m.getMid()).containsExactly(mid + 1);
        assertThat(asked.hasFloor()).isTrue();
        assertThat(asked.getFloor()).as("nothing gone after mid").isLessThanOrEqualTo(mid);

        stub.delete(DeleteRequest.newBuilder().setKey(k).build());
        FetchReply deleted = stub.fetch(withFloor);
        assertThat(deleted.getMessagesList()).isEmpty();
        assertThat(deleted.getFloor()).isEqualTo(mid + 1);
    }

    private AppendRequest appendEntry(String key, long mid, String claim, long expire) {
        return append(key, mid, "{\"m\":" + mid + "}", expire).toBuilder()
                .setClaim(json(claim))
                .build();
    }

    @Test
    void appendManyAnswersEveryEntryInOrder() {
        String a = key("am-a");
        String b = key("am-b");
        AppendManyReply reply =
                stub.appendMany(
                        AppendManyRequest.newBuilder()
                                .addEntries(appendEntry(a, 100, "a1", 600))
                                .addEntries(appendEntry(b, 50, "b1", 0))
                                .addEntries(appendEntry(a, 90, "a2", 600))
                                .addEntries(appendEntry("", 1, "x", 600))
                                .addEntries(appendEntry(a, 101, "a3", 600))
                                .build());
        assertThat(reply.getOutcomesList())
                .extracting(AppendOutcome::getStatus, AppendOutcome::getHead)
                .containsExactly(
                        tuple(AppendOutcome.Status.APPENDED, 100L),
                        tuple(AppendOutcome.Status.APPENDED, 50L),
                        tuple(AppendOutcome.Status.REFUSED, 100L),
                        tuple(AppendOutcome.Status.INVALID_ARGUMENT, 0L),
                        tuple(AppendOutcome.Status.APPENDED, 101L));
        assertThat(reply.getOutcomes(3).getDescription()).contains("key must not be empty");
        FetchReply stored = stub.fetch(FetchRequest.newBuilder().setKey(a).build());
        assertThat(stored.getMessagesList())
                .extracting(StoredMessage::getMid)
                .containsExactly(100L, 101L);
        assertThat(stub.fetch(FetchRequest.newBuilder().setKey(b).build()).getMessagesList())
                .isEmpty();
        assertStatus(
                () -> stub.appendMany(AppendManyRequest.getDefaultInstance()),
                Status.Code.INVALID_ARGUMENT,
                "entries must not be empty");
    }

    @Test
    void invalidArgumentsAnswerInvalidArgumentNamingTheProblem() {
        assertStatus(
                () -> stub.append(append("", 1, "{}", 60)),
                Status.Code.INVALID_ARGUMENT,
                "key must not be empty");
        assertStatus(
                () -> stub.append(append("x".repeat(257), 1, "{}", 60)),
                Status.Code.INVALID_ARGUMENT,
                "key is 257 bytes, at most 256");
        assertStatus(
                () ->
                        stub.append(
                                append(key("big"), 1, "{}", 60).toBuilder()
                                        .setPayload(ByteString.copyFrom(new byte[64 * 1024 + 1]))
                                        .build()),
                Status.Code.INVALID_ARGUMENT,
                "payload is 65537 bytes, at most 65536");
        assertStatus(
                () -> stub.append(append(key("neg"), 1, "{}", -3)),
                Status.Code.INVALID_ARGUMENT,
                "expire must not be negative");
        assertStatus(
                () -> stub.fetch(FetchRequest.newBuilder().setKey(key("l")).setLimit(-1).build()),
                Status.Code.INVALID_ARGUMENT,
                "limit must not be negative");
        assertThat(metrics.meter("store.append.invalid").getCount()).isGreaterThanOrEqualTo(4);
    }

    @Test
    void hbaseThatStopsAnsweringGivesUnavailableWithinTheBound(MiniHBase mini) throws Exception {
        // A table of its own whose regions are then taken offline: to the client this is a
        // region server that stopped answering. Short client timeouts, as a node sets them.
        MessageTableLayout layout = new MessageTableLayout("pushbase", "message_down", 86_400);
        unreachableClient =
                new HBaseClient(mini.clientConfiguration(), layout, true, 60_000, 1_500, 500);
        unreachableClient.start();
        String down = key("down");
        byte[] row = RowKeys.row(RowKeys.standard().prefix(down), 1);
        // The health check's probe key too: the node's hbase check must fail with its reason.
        byte[] probe = RowKeys.row(RowKeys.standard().prefix(HBaseHealthCheck.PROBE_KEY), 1);
        var admin = mini.util().getAdmin();
        for (var region : admin.getRegions(layout.tableName())) {
            if (region.containsRow(row) || region.containsRow(probe)) {
                admin.unassign(region.getRegionName(), true);
            }
        }
        HBaseClient table = unreachableClient;
        MessageStore store =
                new HBaseMessageStore(
                        table::table,
                        LIMITS,
                        RowKeys.standard(),
                        new KeyTrimmer(
                                table::table,
                                RowKeys.standard(),
                                100,
                                86_400,
                                10,
                                1,
                                10,
                                new MetricRegistry()),
                        2_500);
        HealthCheckRegistry checks = new HealthCheckRegistry();
        checks.register("hbase", new HBaseHealthCheck(store, 2_500));
        unreachableHealth = new NodeHealth(checks);
        String name = InProcessServerBuilder.generateName();
        unreachableServer =
                new GrpcServer(
                        InProcessServerBuilder.forName(name)
                                .addService(
                                        new MessageStoreService(store, "down", unreachableHealth)),
                        1_000);
        unreachableServer.start();
        unreachableChannel = InProcessChannelBuilder.forName(name).build();
        MessageServiceBlockingStub offline =
                MessageServiceGrpc.newBlockingStub(unreachableChannel)
                        .withDeadlineAfter(30, TimeUnit.SECONDS);

        for (Runnable call :
                List.<Runnable>of(
                        () -> offline.append(append(down, 1, "{}", 60)),
                        () -> offline.fetch(FetchRequest.newBuilder().setKey(down).build()),
                        () -> offline.last(LastRequest.newBuilder().setKey(down).build()))) {
            long start = System.nanoTime();
            assertStatus(call::run, Status.Code.UNAVAILABLE, "HBase");
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(tookMillis)
                    .as("answered within the store's 2.5 s bound, not the 30 s client deadline")
                    .isLessThan(5_000);
        }
        // Health: the hbase check's failure, with its reason, within the call's 30 s deadline.
        HealthCheckResult hbase =
                offline.health(HealthRequest.getDefaultInstance()).getChecksList().get(0);
        assertThat(hbase.getName()).isEqualTo("hbase");
        assertThat(hbase.getHealthy()).isFalse();
        assertThat(hbase.getMessage()).startsWith("HBase read failed: ");
    }

    @Test
    void healthAnswersTheNodesChecksFromARealHBaseRead() {
        var checks =
                stub.health(HealthRequest.getDefaultInstance()).getChecksList().stream()
                        .map(c -> tuple(c.getName(), c.getHealthy()))
                        .toList();
        assertThat(checks).containsExactly(tuple("hbase", true));
        assertThat(stub.health(HealthRequest.getDefaultInstance()).getChecks(0).getMessage())
                .matches("read answered in \\d+ ms");
    }

    private static void assertStatus(Runnable call, Status.Code code, String description) {
        assertThatThrownBy(call::run)
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> {
                            assertThat(e.getStatus().getCode()).isEqualTo(code);
                            assertThat(e.getStatus().getDescription()).contains(description);
                        });
    }
}
