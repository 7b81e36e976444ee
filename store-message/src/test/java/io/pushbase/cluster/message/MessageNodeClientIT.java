package io.pushbase.cluster.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.codahale.metrics.MetricRegistry;
import com.google.protobuf.ByteString;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.pushbase.cluster.CuratorLifecycle;
import io.pushbase.cluster.NodeRegistration;
import io.pushbase.cluster.ZooKeeperConfiguration;
import io.pushbase.cluster.discovery.LiveNodes;
import io.pushbase.schema.ZkPaths;
import io.pushbase.schema.message.v1.AppendManyReply;
import io.pushbase.schema.message.v1.AppendManyRequest;
import io.pushbase.schema.message.v1.AppendOutcome;
import io.pushbase.schema.message.v1.AppendReply;
import io.pushbase.schema.message.v1.AppendRequest;
import io.pushbase.schema.message.v1.StoredMessage;
import io.pushbase.store.MessageStore;
import io.pushbase.store.StoreLimits;
import io.pushbase.store.memory.InMemoryMessageStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link MessageNodeClient} against real message nodes: {@code MessageStoreService} gRPC servers on
 * loopback sockets, registered in a real ZooKeeper ({@link TestingServer}) exactly as a node
 * registers, found by the client through discovery. The nodes share one in-memory store standing in
 * for HBase: what is under test is the client's discovery, spread and failover, not storage.
 *
 * <p>It tests {@code cluster/message} and lives in that package, but in store-message's test tree:
 * its message nodes are real ones (store-message's {@code MessageStoreService} over its {@code
 * InMemoryMessageStore}), and the cluster module cannot see store-message, not even in test scope
 * (store-message depends on cluster; the reverse would be a cycle in the reactor). A fake {@code
 * MessageService} in cluster's tests would not be the node the client talks to.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class MessageNodeClientIT {
    private static final Logger LOG = LoggerFactory.getLogger(MessageNodeClientIT.class);
    private static final long EXPIRE = 600;

    private final ZkPaths paths = ZkPaths.under("/pushbase-client-it");
    private final List<Node> nodes = new ArrayList<>();
    private final MetricRegistry metrics = new MetricRegistry();
    private InMemoryMessageStore store;
    private TestingServer zk;
    private CuratorLifecycle nodesSession;
    private CuratorLifecycle clientSession;
    private LiveNodes live;
    private MessageNodeClient client;

    /** One real message node: a gRPC server on a loopback port, registered in ZooKeeper. */
    private record Node(
            String name,
            Server server,
            NodeRegistration registration,
            Map<String, AtomicInteger> callsByMethod) {

        String id() {
            return registration.instanceId();
        }

        int calls(String method) {
            AtomicInteger n = callsByMethod.get(method);
            return n == null ? 0 : n.get();
        }

        /** A hard death: the server drops everything at once, its registration stays. */
        void kill() throws InterruptedException {
            server.shutdownNow();
            server.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @BeforeEach
    void startZooKeeper() throws Exception {
        store = new InMemoryMessageStore(StoreLimits.defaults(86_400));
        zk = new TestingServer(true);
        // Two sessions, as in a cluster: the message nodes' and the calling comet's.
        nodesSession = session();
        clientSession = session();
    }

    private CuratorLifecycle session() throws Exception {
        ZooKeeperConfiguration config = new ZooKeeperConfiguration();
        config.setConnectString(zk.getConnectString());
        config.setRoot(paths.root());
        CuratorLifecycle session = config.build();
        session.start();
        return session;
    }

    @AfterEach
    void stopEverything() throws Exception {
        try {
            if (client != null) {
                client.stop();
            }
            if (live != null) {
                live.stop();
            }
            for (Node node : nodes) {
                node.server().shutdownNow();
                node.server().awaitTermination(10, TimeUnit.SECONDS);
                node.registration().stop();
            }
        } finally {
            clientSession.stop();
            nodesSession.stop();
            zk.close();
        }
    }

    private Node startNode(String name, int weight) throws Exception {
        return startNode(name, weight, store);
    }

    private Node startNode(String name, int weight, MessageStore backing) throws Exception {
        LoopbackMessageNode started =
                LoopbackMessageNode.start(nodesSession.client(), paths, name, weight, backing);
        Node node =
                new Node(name, started.server(), started.registration(), started.callsByMethod());
        nodes.add(node);
        return node;
    }

    private void startClient(long attemptMillis, long totalMillis, int expectedNodes)
            throws Exception {
        live =
                new LiveNodes(
                        clientSession.client(), paths.discovery(), ZkPaths.SERVICE_MESSAGE, 10_000);
        live.start();
        client = new MessageNodeClient(live, attemptMillis, totalMillis, metrics);
        client.start();
        awaitLiveNodes(expectedNodes);
    }

    private void awaitLiveNodes(int expected) throws InterruptedException {
        // docs/DEPENDENCIES.md pitfall 9: discovery settles a moment after registration.
        await(() -> client.liveNodeIds().size() == expected);
    }

    private long count(String meter) {
        return metrics.meter("messageClient." + meter).getCount();
    }

    private long nodeCalls(Node node) {
        return metrics.meter("messageClient.node." + node.id() + ".calls").getCount();
    }

    private static byte[] payload(String key, long mid) {
        return ("{\"key\":\"" + key + "\",\"mid\":" + mid + "}").getBytes(StandardCharsets.UTF_8);
    }

    /** An append of {@link #payload} with a claim of its own (key and mid), as a comet sends. */
    private static AppendRequest appendRequest(String key, long mid, long expireSeconds) {
        return AppendRequest.newBuilder()
                .setKey(key)
                .setMid(mid)
                .setClaim(ByteString.copyFromUtf8(key + "/" + mid))
                .setPayload(ByteString.copyFrom(payload(key, mid)))
                .setExpireSeconds(expireSeconds)
                .build();
    }

    /** Appends one message through the client; fails unless the store took {@code mid}. */
    private CompletableFuture<Void> append(String key, long mid, long expireSeconds) {
        return client.append(appendRequest(key, mid, expireSeconds))
                .thenAccept(
                        reply -> {
                            if (!reply.getAppended()) {
                                throw new IllegalStateException(
                                        key + ": mid " + mid + " refused, head " + reply.getHead());
                            }
                        });
    }

    @Test
    void callsAreSpreadAcrossNodesInProportionToTheirWeight() throws Exception {
        Node light = startNode("msg-light", 1);
        Node middle = startNode("msg-middle", 2);
        Node heavy = startNode("msg-heavy", 3);
        startClient(3_000, 10_000, 3);

        // A node ejected during a round (a probe unanswered within 500 ms: an overloaded machine)
        // takes no picks for a while, which says nothing about the weights: such a round does not
        // count and runs again, at most 3 rounds, each starting with every node answering probes.
        int appends = 600;
        long[] calls = null;
        for (int round = 0; round < 3 && calls == null; round++) {
            await(() -> client.answeringNodeIds().size() == 3);
            long ejections = count("ejections");
            long[] before = {light.calls("Append"), middle.calls("Append"), heavy.calls("Append")};
            List<CompletableFuture<Void>> acks = new ArrayList<>();
            for (int i = 0; i < appends; i++) {
                acks.add(append("spread-" + round + "-" + i, 1 + i, EXPIRE));
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                    .get(30, TimeUnit.SECONDS);
            if (count("ejections") == ejections) {
                calls =
                        new long[] {
                            light.calls("Append") - before[0],
                            middle.calls("Append") - before[1],
                            heavy.calls("Append") - before[2]
                        };
            }
        }
        assertThat(calls).as("a round of appends without an ejection").isNotNull();
        assertThat(calls[0] + calls[1] + calls[2]).isEqualTo(appends);
        assertThat(calls[0] / (double) appends).isCloseTo(1 / 6.0, within(0.03));
        assertThat(calls[1] / (double) appends).isCloseTo(2 / 6.0, within(0.03));
        assertThat(calls[2] / (double) appends).isCloseTo(3 / 6.0, within(0.03));
        // The client's own per-node counts agree with what the servers saw.
        for (Node node : List.of(light, middle, heavy)) {
            assertThat(nodeCalls(node)).as(node.name()).isEqualTo(node.calls("Append"));
        }
        assertThat(count("retries")).isZero();
    }

    @Test
    void aNodeKilledHardMidStreamCostsNoAcknowledgedAppend() throws Exception {
        startNode("msg-1", 1);
        Node victim = startNode("msg-2", 1);
        startNode("msg-3", 1);
        startClient(1_000, 10_000, 3);

        int keys = 20;
        int perKey = 100; // the per-key cap: every message must come back
        long firstMid = (1L << 60) + 1;
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        int sent = 0;
        for (int m = 0; m < perKey; m++) {
            for (int k = 0; k < keys; k++) {
                if (sent == keys * perKey / 3) {
                    assertThat(victim.calls("Append"))
                            .as("the victim was taking appends")
                            .isPositive();
                    victim.kill(); // with up to one append per key in flight
                    LOG.info("Killed {} after {} appends sent", victim.id(), sent);
                }
                if (m > 0) {
                    // A key's pushes go one at a time, as a comet sequences them: the next
                    // append of a key waits for the answer to the previous one.
                    acks.get(sent - keys).handle((v, e) -> null).get(30, TimeUnit.SECONDS);
                }
                String key = "kill-" + k;
                acks.add(append(key, firstMid + m, EXPIRE));
                sent++;
            }
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new))
                .handle((v, e) -> null)
                .get(60, TimeUnit.SECONDS);

        // Read the outcome from the acks themselves: each one is complete now.
        List<Throwable> failures =
                acks.stream()
                        .filter(CompletableFuture::isCompletedExceptionally)
                        .map(ack -> ack.handle((v, e) -> e).join())
                        .toList();
        assertThat(failures).as("appends not acknowledged").isEmpty();
        assertThat(count("retries")).as("attempts that failed over").isPositive();
        assertThat(client.liveNodeIds())
                .as("the dead node is still registered: failover did it, not discovery")
                .contains(victim.id());
        LOG.info(
                "Kill test: {} attempts, {} retries, UNAVAILABLE {}, CANCELLED {}, DEADLINE {}",
                count("attempts"),
                count("retries"),
                count("failures.UNAVAILABLE"),
                count("failures.CANCELLED"),
                count("failures.DEADLINE_EXCEEDED"));

        List<Long> expected = LongStream.range(firstMid, firstMid + perKey).boxed().toList();
        for (int k = 0; k < keys; k++) {
            String key = "kill-" + k;
            List<StoredMessage> stored = client.fetch(key, 0, 0).get(10, TimeUnit.SECONDS);
            assertThat(stored).extracting(StoredMessage::getMid).as(key).isEqualTo(expected);
            assertThat(stored.get(0).getPayload().toStringUtf8())
                    .isEqualTo(new String(payload(key, firstMid), StandardCharsets.UTF_8));
        }
    }

    @Test
    void aNodeThatDoesNotAnswerInTimeIsRetriedOnAnotherNode() throws Exception {
        // A node whose appends never complete: each attempt on it ends in DEADLINE_EXCEEDED.
        MessageStore stuck =
                new MessageStore() {
                    @Override
                    public CompletableFuture<io.pushbase.store.AppendResult> append(
                            io.pushbase.store.AppendEntry entry) {
                        return new CompletableFuture<>();
                    }

                    @Override
                    public CompletableFuture<List<io.pushbase.store.AppendOutcome>> appendMany(
                            List<io.pushbase.store.AppendEntry> entries) {
                        return store.appendMany(entries);
                    }

                    @Override
                    public CompletableFuture<io.pushbase.store.FetchPage> fetch(
                            String key, long after, int limit, boolean withFloor) {
                        return store.fetch(key, after, limit, withFloor);
                    }

                    @Override
                    public CompletableFuture<Long> last(String key) {
                        return store.last(key);
                    }

                    @Override
                    public CompletableFuture<Void> delete(String key) {
                        return store.delete(key);
                    }
                };
        Node slow = startNode("msg-slow", 1, stuck);
        startNode("msg-ok", 1);
        startClient(300, 5_000, 2);

        for (int i = 1; i <= 6; i++) {
            long start = System.nanoTime();
            append("slow", i, EXPIRE).get(10, TimeUnit.SECONDS);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
                    .as("at most one attempt deadline lost")
                    .isLessThan(2_000);
        }
        assertThat(slow.calls("Append")).isPositive();
        assertThat(count("failures.DEADLINE_EXCEEDED")).isEqualTo(slow.calls("Append"));
        assertThat(client.last("slow").get(10, TimeUnit.SECONDS)).isEqualTo(6);
    }

    @Test
    void anAppendWhoseAnswerIsLostIsRetriedElsewhereAndStoredOnce() throws Exception {
        // This node performs the append on the shared store, then never answers: the client's
        // attempt times out and it retries the same request (same claim) on the other node.
        InMemoryMessageStore shared = store;
        MessageStore answersNever =
                (MessageStore)
                        java.lang.reflect.Proxy.newProxyInstance(
                                MessageStore.class.getClassLoader(),
                                new Class<?>[] {MessageStore.class},
                                (proxy, method, args) -> {
                                    Object result = method.invoke(shared, args);
                                    if (method.getName().equals("append")) {
                                        return ((CompletableFuture<?>) result)
                                                .thenCompose(done -> new CompletableFuture<>());
                                    }
                                    return result;
                                });
        Node mute = startNode("msg-mute", 1, answersNever);
        startNode("msg-ok", 1);
        startClient(300, 5_000, 2);

        long mid = 1_000;
        for (int i = 0; i < 6; i++, mid++) {
            AppendRequest request =
                    AppendRequest.newBuilder()
                            .setKey("lost-answer")
                            .setMid(mid)
                            .setPayload(ByteString.copyFromUtf8("{\"n\":" + i + "}"))
                            .setExpireSeconds(EXPIRE)
                            .setClaim(ByteString.copyFromUtf8("push-" + i))
                            .build();
            AppendReply reply = client.append(request).get(10, TimeUnit.SECONDS);
            assertThat(reply.getAppended()).as("append %d", i).isTrue();
            assertThat(reply.getHead()).isEqualTo(mid);
        }
        assertThat(mute.calls("Append")).as("some appends went to the mute node").isPositive();
        assertThat(store.fetch("lost-answer", 0, 0).get(10, TimeUnit.SECONDS))
                .extracting(io.pushbase.store.StoredMessage::mid)
                .containsExactly(1_000L, 1_001L, 1_002L, 1_003L, 1_004L, 1_005L);
    }

    @Test
    void invalidArgumentIsNotRetriedAndCarriesTheNodesDescription() throws Exception {
        Node one = startNode("msg-1", 1);
        Node two = startNode("msg-2", 1);
        startClient(3_000, 10_000, 2);

        CompletableFuture<Void> append = append("bad", 1, -1);

        assertThatThrownBy(() -> append.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> {
                            assertThat(e.getStatus().getCode())
                                    .isEqualTo(Status.Code.INVALID_ARGUMENT);
                            assertThat(e.getStatus().getDescription())
                                    .contains("expire must not be negative");
                        });
        assertThat(one.calls("Append") + two.calls("Append")).as("attempts").isEqualTo(1);
        assertThat(count("attempts")).isEqualTo(1);
        assertThat(count("retries")).isZero();
        assertThat(count("failures.INVALID_ARGUMENT")).isEqualTo(1);
    }

    @Test
    void withNoLiveNodeACallFailsClearlyWithinTheBound() throws Exception {
        startClient(200, 1_000, 0);

        long start = System.nanoTime();
        CompletableFuture<Void> append = append("nowhere", 1, EXPIRE);

        assertThatThrownBy(() -> append.get(10, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(MessageNodesUnavailableException.class)
                .hasMessageContaining("append")
                .hasMessageContaining("no live message node");
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(tookMillis)
                .as("waited for a node up to the bound, no longer")
                .isBetween(900L, 3_000L);
        assertThat(count("exhausted")).isEqualTo(1);
    }

    @Test
    void whenEveryNodeIsDownACallFailsNamingTheNodesTriedAndTheLastStatus() throws Exception {
        Node one = startNode("msg-1", 1);
        Node two = startNode("msg-2", 1);
        startClient(200, 1_500, 2);
        one.kill();
        two.kill();

        long start = System.nanoTime();
        CompletableFuture<Long> last = client.last("anything");

        assertThatThrownBy(() -> last.get(10, TimeUnit.SECONDS))
                .cause()
                .isInstanceOfSatisfying(
                        MessageNodesUnavailableException.class,
                        e -> {
                            assertThat(e.triedNodes())
                                    .containsExactlyInAnyOrder(
                                            "msg-1 (" + one.id() + ")", "msg-2 (" + two.id() + ")");
                            assertThat(e.lastStatus())
                                    .hasValueSatisfying(
                                            s ->
                                                    assertThat(s.getCode())
                                                            .isEqualTo(Status.Code.UNAVAILABLE));
                            assertThat(e.getMessage())
                                    .contains("last: no message node took the call")
                                    .contains("msg-1")
                                    .contains("msg-2")
                                    .contains("last status UNAVAILABLE");
                        });
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(tookMillis).isBetween(1_400L, 3_500L);
    }

    @Test
    void stoppingTheClientFailsACallWaitingForANodeAtOnce() throws Exception {
        startClient(200, 60_000, 0);
        // No node: the call is now waiting between rounds, for up to a minute.
        CompletableFuture<Void> append = append("waiting", 1, EXPIRE);

        long start = System.nanoTime();
        client.stop();

        assertThatThrownBy(() -> append.get(10, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("stopped");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2_000);
        assertThat(client.last("after-stop"))
                .failsWithin(1, TimeUnit.SECONDS)
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    void aNodeAddedLaterStartsTakingCalls() throws Exception {
        Node first = startNode("msg-1", 1);
        startClient(3_000, 10_000, 1);
        for (int i = 1; i <= 10; i++) {
            append("later", i, EXPIRE).get(10, TimeUnit.SECONDS);
        }
        assertThat(first.calls("Append")).isEqualTo(10);

        Node added = startNode("msg-2", 1);
        awaitLiveNodes(2);
        for (int i = 11; i <= 110; i++) {
            append("later", i, EXPIRE).get(10, TimeUnit.SECONDS);
        }

        assertThat(added.calls("Append")).isCloseTo(50, within(2));
        assertThat(client.fetch("later", 100, 0).get(10, TimeUnit.SECONDS)).hasSize(10);
    }

    @Test
    void aNodeThatLeavesDiscoveryStopsGettingCallsWithoutFailingAny() throws Exception {
        startNode("msg-1", 1);
        Node leaving = startNode("msg-2", 1);
        startClient(3_000, 10_000, 2);

        leaving.registration().stop();
        awaitLiveNodes(1);
        int before = leaving.calls("Append");
        for (int i = 1; i <= 20; i++) {
            append("leave", i, EXPIRE).get(10, TimeUnit.SECONDS);
        }

        assertThat(leaving.calls("Append")).isEqualTo(before);
        assertThat(count("retries")).isZero();
    }

    @Test
    void everyOperationReachesTheNodes() throws Exception {
        startNode("msg-1", 1);
        startNode("msg-2", 1);
        startClient(3_000, 10_000, 2);

        append("ops", 7, EXPIRE).get(10, TimeUnit.SECONDS);
        AppendManyReply many =
                client.appendMany(
                                AppendManyRequest.newBuilder()
                                        .addEntries(appendRequest("ops", 8, EXPIRE))
                                        .addEntries(appendRequest("ops-other", 8, EXPIRE))
                                        .build())
                        .get(10, TimeUnit.SECONDS);
        assertThat(many.getOutcomesList())
                .extracting(AppendOutcome::getStatus)
                .containsExactly(AppendOutcome.Status.APPENDED, AppendOutcome.Status.APPENDED);
        assertThat(client.fetch("ops", 0, 0).get(10, TimeUnit.SECONDS))
                .extracting(StoredMessage::getMid)
                .containsExactly(7L, 8L);
        assertThat(client.fetch("ops", 7, 10).get(10, TimeUnit.SECONDS))
                .extracting(StoredMessage::getMid)
                .containsExactly(8L);
        assertThat(client.last("ops-other").get(10, TimeUnit.SECONDS)).isEqualTo(8);
        client.delete("ops").get(10, TimeUnit.SECONDS);
        assertThat(client.last("ops").get(10, TimeUnit.SECONDS)).isZero();
        assertThat(metrics.timer("messageClient.append").getCount()).isEqualTo(1);
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (!condition.getAsBoolean() && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertThat(condition.getAsBoolean()).as("condition within 20 s").isTrue();
    }
}
