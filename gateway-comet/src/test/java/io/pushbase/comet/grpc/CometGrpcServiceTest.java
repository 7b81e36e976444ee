package io.pushbase.comet.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.health.HealthCheck;
import com.codahale.metrics.health.HealthCheckRegistry;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.pushbase.cluster.health.NodeHealth;
import io.pushbase.cluster.message.MessageLog;
import io.pushbase.comet.channel.KeyChannels;
import io.pushbase.comet.push.PushPipeline;
import io.pushbase.comet.stat.CometTrafficReader;
import io.pushbase.comet.testing.RecordingSubscriber;
import io.pushbase.comet.testing.StoreBackedLog;
import io.pushbase.schema.client.MidClock;
import io.pushbase.schema.comet.v1.CloseRequest;
import io.pushbase.schema.comet.v1.CometPingRequest;
import io.pushbase.schema.comet.v1.CometServiceGrpc;
import io.pushbase.schema.comet.v1.OnlineRequest;
import io.pushbase.schema.comet.v1.PushManyRequest;
import io.pushbase.schema.comet.v1.PushRequest;
import io.pushbase.schema.health.v1.HealthCheckResult;
import io.pushbase.schema.health.v1.HealthRequest;
import io.pushbase.store.StoreLimits;
import io.pushbase.store.StoredMessage;
import io.pushbase.store.memory.InMemoryMessageStore;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CometGrpcServiceTest {
    private final InMemoryMessageStore store = new InMemoryMessageStore(StoreLimits.defaults(3600));
    private final MetricRegistry metrics = new MetricRegistry();
    private final KeyChannels channels = new KeyChannels(64, metrics);
    private final HealthCheckRegistry checks = new HealthCheckRegistry();
    private final NodeHealth health = new NodeHealth(checks);
    private Server server;
    private ManagedChannel channel;

    private CometServiceGrpc.CometServiceBlockingStub start(MessageLog log) throws Exception {
        PushPipeline pushes =
                new PushPipeline(
                        channels,
                        log,
                        MidClock.system(),
                        key -> !key.startsWith("elsewhere"),
                        64 * 1024,
                        100,
                        1000,
                        metrics);
        String name = InProcessServerBuilder.generateName();
        server =
                InProcessServerBuilder.forName(name)
                        .directExecutor()
                        .addService(
                                new CometGrpcService(
                                        pushes,
                                        channels,
                                        "c1",
                                        () -> "leader",
                                        new CometTrafficReader(metrics),
                                        health))
                        .build()
                        .start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        return CometServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        health.stop();
        channel.shutdownNow();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static PushRequest push(String key, String json, long expire) {
        return PushRequest.newBuilder()
                .setKey(key)
                .setPayload(ByteString.copyFromUtf8(json))
                .setExpireSeconds(expire)
                .build();
    }

    @Test
    void pushAnswersTheMidAfterStoringAndReachesTheKeysConnections() throws Exception {
        var comet = start(new StoreBackedLog(store));
        RecordingSubscriber sub = new RecordingSubscriber("k");
        channels.add(sub);
        var reply = comet.push(push("k", "{\"test\":1}", 600));
        assertThat(reply.getDelivered()).isEqualTo(1);
        assertThat(sub.mids).containsExactly(reply.getMid());
        assertThat(store.fetch("k", 0, 0).get(5, TimeUnit.SECONDS))
                .extracting(StoredMessage::mid)
                .containsExactly(reply.getMid());
    }

    @Test
    void pushManyOnlineCloseAndPingWork() throws Exception {
        var comet = start(new StoreBackedLog(store));
        RecordingSubscriber a = new RecordingSubscriber("a");
        RecordingSubscriber b = new RecordingSubscriber("b");
        channels.add(a);
        channels.add(b);
        var many =
                comet.pushMany(
                        PushManyRequest.newBuilder()
                                .addAllKeys(List.of("a", "b", "nobody"))
                                .setPayload(ByteString.copyFromUtf8("{\"all\":1}"))
                                .setExpireSeconds(60)
                                .build());
        assertThat(many.getFailedKeysList()).isEmpty();
        assertThat(a.payloads).containsExactly("{\"all\":1}");
        assertThat(b.payloads).containsExactly("{\"all\":1}");
        assertThat(
                        comet.online(OnlineRequest.newBuilder().addKeys("a").addKeys("zzz").build())
                                .getConnectionsMap())
                .containsEntry("a", 1)
                .containsEntry("zzz", 0);
        assertThat(comet.close(CloseRequest.newBuilder().setKey("a").build()).getClosed())
                .isEqualTo(1);
        assertThat(a.isOpen()).isFalse();
        var ping = comet.ping(CometPingRequest.getDefaultInstance());
        assertThat(ping.getNodeName()).isEqualTo("c1");
        assertThat(ping.getRole()).isEqualTo("leader");
        assertThat(ping.getConnections()).isEqualTo(1); // b is still connected
        // Three acknowledged pushes (a key without connections is stored all the same), two
        // deliveries.
        assertThat(ping.getTraffic().getPushesAcknowledged()).isEqualTo(3);
        assertThat(ping.getTraffic().getDeliveries()).isEqualTo(2);
        assertThat(ping.getTraffic().getPushP99Seconds())
                .isGreaterThan(0)
                .isGreaterThanOrEqualTo(ping.getTraffic().getPushP50Seconds());
    }

    @Test
    void everyFailureTravelsAsItsOwnStatusWithTheReason() throws Exception {
        var comet =
                start(
                        request ->
                                request.getKey().equals("down")
                                        ? CompletableFuture.failedFuture(
                                                new IllegalStateException(
                                                        "no message node answered"))
                                        : new StoreBackedLog(store).append(request));
        assertStatus(
                () -> comet.push(push("", "{}", 60)),
                Status.Code.INVALID_ARGUMENT,
                "key must not be empty");
        assertStatus(
                () -> comet.push(push("k", "", 60)),
                Status.Code.INVALID_ARGUMENT,
                "message must not be empty");
        assertStatus(
                () -> comet.push(push("elsewhere-1", "{}", 60)),
                Status.Code.FAILED_PRECONDITION,
                "does not own key 'elsewhere-1'");
        assertStatus(
                () -> comet.push(push("down", "{}", 60)),
                Status.Code.UNAVAILABLE,
                "no message node answered");
        // The store's own refusal (expire beyond its retention) is the caller's mistake.
        assertStatus(() -> comet.push(push("k", "{}", 7200)), Status.Code.UNAVAILABLE, "retention");
    }

    @Test
    void healthAnswersEveryCheckWithTheReasonOfAFailingOne() throws Exception {
        checks.register("role", answering(HealthCheck.Result.healthy("LEADER of c1")));
        checks.register(
                "messageNodes",
                answering(HealthCheck.Result.unhealthy("no message node registered")));
        checks.register(
                "zookeeper",
                new HealthCheck() {
                    @Override
                    protected Result check() {
                        throw new IllegalStateException("not connected to ZooKeeper at zk:2181");
                    }
                });
        var comet = start(new StoreBackedLog(store));
        assertThat(comet.health(HealthRequest.getDefaultInstance()).getChecksList())
                .extracting(
                        HealthCheckResult::getName,
                        HealthCheckResult::getHealthy,
                        HealthCheckResult::getMessage)
                .containsExactly(
                        tuple("messageNodes", false, "no message node registered"),
                        tuple("role", true, "LEADER of c1"),
                        tuple(
                                "zookeeper",
                                false,
                                "java.lang.IllegalStateException:"
                                        + " not connected to ZooKeeper at zk:2181"));
    }

    private static HealthCheck answering(HealthCheck.Result result) {
        return new HealthCheck() {
            @Override
            protected Result check() {
                return result;
            }
        };
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
