package io.pushbase.cluster.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import io.pushbase.schema.client.MidClock;
import io.pushbase.schema.message.v1.AppendManyReply;
import io.pushbase.schema.message.v1.AppendManyRequest;
import io.pushbase.schema.message.v1.AppendReply;
import io.pushbase.schema.message.v1.AppendRequest;
import io.pushbase.schema.message.v1.StoredMessage;
import io.pushbase.store.AppendEntry;
import io.pushbase.store.AppendOutcome;
import io.pushbase.store.MessageStore;
import io.pushbase.store.StoreLimits;
import io.pushbase.store.StoreUnavailableException;
import io.pushbase.store.memory.InMemoryMessageStore;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link AppendBatcher} over a real {@link MessageNodeClient} and real message nodes ({@code
 * MessageStoreService} gRPC servers on loopback, registered in a ZooKeeper {@link TestingServer},
 * over an in-memory store), as {@link MessageNodeClientIT} runs them: batching, per-entry answers,
 * retries on another node, per-entry UNAVAILABLE resent, the queue bound and the flush on stop.
 *
 * <p>It tests {@code cluster/message} and lives in that package, but in store-message's test tree:
 * its message nodes are real ones (store-message's {@code MessageStoreService} over its {@code
 * InMemoryMessageStore}), and the cluster module cannot see store-message, not even in test scope
 * (store-message depends on cluster; the reverse would be a cycle in the reactor). A fake {@code
 * MessageService} in cluster's tests would not be the node the client talks to.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class AppendBatcherIT {
    private static final long EXPIRE = 600;

    private final ZkPaths paths = ZkPaths.under("/pushbase-batcher-it");
    private final MetricRegistry metrics = new MetricRegistry();
    private final List<Server> servers = new ArrayList<>();
    private final List<NodeRegistration> registrations = new ArrayList<>();
    private final List<LoopbackMessageNode> nodes = new ArrayList<>();
    private InMemoryMessageStore store;
    private TestingServer zk;
    private CuratorLifecycle session;
    private LiveNodes live;
    private MessageNodeClient client;
    private AppendBatcher batcher;

    @BeforeEach
    void startZooKeeper() throws Exception {
        store = new InMemoryMessageStore(StoreLimits.defaults(86_400));
        zk = new TestingServer(true);
        ZooKeeperConfiguration config = new ZooKeeperConfiguration();
        config.setConnectString(zk.getConnectString());
        config.setRoot(paths.root());
        session = config.build();
        session.start();
    }

    @AfterEach
    void stopEverything() throws Exception {
        try {
            if (batcher != null) {
                batcher.stop();
            }
            if (client != null) {
                client.stop();
            }
            if (live != null) {
                live.stop();
            }
            for (Server s : servers) {
                s.shutdownNow();
                s.awaitTermination(10, TimeUnit.SECONDS);
            }
            for (NodeRegistration r : registrations) {
                r.stop();
            }
        } finally {
            session.stop();
            zk.close();
        }
    }

    /** A message node over {@code backing}; counts calls per gRPC method. */
    private void startNode(String name, MessageStore backing) throws Exception {
        LoopbackMessageNode node =
                LoopbackMessageNode.start(session.client(), paths, name, 1, backing);
        servers.add(node.server());
        registrations.add(node.registration());
        nodes.add(node);
    }

    private void startBatcher(
            int nodes, long attemptMillis, int maxEntries, double maxDelayMillis, int maxQueued)
            throws Exception {
        live = new LiveNodes(session.client(), paths.discovery(), ZkPaths.SERVICE_MESSAGE, 10_000);
        live.start();
        client = new MessageNodeClient(live, attemptMillis, 10_000, metrics);
        client.start();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (client.liveNodeIds().size() < nodes && System.nanoTime() < until) {
            Thread.sleep(10); // docs/DEPENDENCIES.md pitfall 9: discovery settles a moment later
        }
        assertThat(client.liveNodeIds()).hasSize(nodes);
        batcher =
                new AppendBatcher(
                        client::appendMany,
                        maxEntries,
                        maxDelayMillis,
                        maxQueued,
                        10_000,
                        10_000,
                        metrics);
        batcher.start();
    }

    private static AppendRequest request(String key, long mid, String claim) {
        return AppendRequest.newBuilder()
                .setKey(key)
                .setMid(mid)
                .setClaim(ByteString.copyFromUtf8(claim))
                .setPayload(ByteString.copyFromUtf8("{\"k\":\"" + key + "\",\"m\":" + mid + "}"))
                .setExpireSeconds(EXPIRE)
                .build();
    }

    private static AppendReply reply(boolean appended, long head) {
        return AppendReply.newBuilder().setAppended(appended).setHead(head).build();
    }

    private int calls(String method) {
        return nodes.stream().mapToInt(n -> n.calls(method)).sum();
    }

    @Test
    void concurrentAppendsGoAsFewAppendManyCallsEachAnsweredOnItsOwn() throws Exception {
        startNode("msg-1", store);
        startBatcher(1, 3_000, 64, 5, 10_000);
        store.append("ahead", 1_000, new byte[] {1}, new byte[0], EXPIRE).get();

        List<CompletableFuture<AppendReply>> answers = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            answers.add(batcher.append(request("key-" + i, 100 + i, "c" + i)));
        }
        CompletableFuture<AppendReply> refused = batcher.append(request("ahead", 10, "late"));
        CompletableFuture<AppendReply> invalid =
                batcher.append(request("bad", 1, "c").toBuilder().setExpireSeconds(-1).build());

        for (int i = 0; i < 500; i++) {
            assertThat(answers.get(i).get(10, TimeUnit.SECONDS)).isEqualTo(reply(true, 100 + i));
        }
        assertThat(refused.get(10, TimeUnit.SECONDS)).isEqualTo(reply(false, 1_000));
        assertThatThrownBy(() -> invalid.get(10, TimeUnit.SECONDS))
                .cause()
                .isInstanceOf(StatusRuntimeException.class)
                .hasMessageContaining("INVALID_ARGUMENT")
                .hasMessageContaining("expire must not be negative");
        for (int i = 0; i < 500; i += 50) {
            List<StoredMessage> got = client.fetch("key-" + i, 0, 0).get(10, TimeUnit.SECONDS);
            assertThat(got).extracting(StoredMessage::getMid).containsExactly(100L + i);
        }
        assertThat(calls("Append")).isZero();
        assertThat(calls("AppendMany")).isBetween(8, 100); // 502 entries, at most 64 per call
        assertThat(metrics.histogram("appendBatcher.batchSize").getSnapshot().getMax())
                .isEqualTo(64);
        assertThat(batcher.queued()).isZero();
    }

    @Test
    void keyAppenderOverTheBatcherKeepsMidsGrowingPerKey() throws Exception {
        startNode("msg-1", store);
        startBatcher(1, 3_000, 32, 1, 10_000);
        // Two appenders per key, both starting from floor 0 (two comets that both think they own
        // the keys), pushing concurrently through the same batcher.
        KeyAppender a = new KeyAppender(batcher, MidClock.system(), metrics.meter("conflicts"));
        KeyAppender b = new KeyAppender(batcher, MidClock.system(), metrics.meter("conflicts"));
        int keys = 20;
        int perKey = 10;
        List<CompletableFuture<List<Long>>> writers = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            for (KeyAppender appender : List.of(a, b)) {
                String key = "grow-" + k;
                CompletableFuture<List<Long>> chain =
                        CompletableFuture.completedFuture(new ArrayList<>());
                for (int i = 0; i < perKey; i++) {
                    ByteString body = ByteString.copyFromUtf8("{\"i\":" + i + "}");
                    chain =
                            chain.thenCompose(
                                    taken ->
                                            appender.append(
                                                            key,
                                                            body,
                                                            EXPIRE,
                                                            taken.isEmpty()
                                                                    ? 0
                                                                    : taken.get(taken.size() - 1))
                                                    .thenApply(
                                                            mid -> {
                                                                taken.add(mid);
                                                                return taken;
                                                            }));
                }
                writers.add(chain);
            }
        }
        for (int k = 0; k < keys; k++) {
            List<Long> fromA = writers.get(2 * k).get(30, TimeUnit.SECONDS);
            List<Long> fromB = writers.get(2 * k + 1).get(30, TimeUnit.SECONDS);
            assertThat(fromA).isSorted().doesNotHaveDuplicates().hasSize(perKey);
            assertThat(fromB).isSorted().doesNotHaveDuplicates().hasSize(perKey);
            List<Long> all = new ArrayList<>(fromA);
            all.addAll(fromB);
            assertThat(all).doesNotHaveDuplicates();
            List<StoredMessage> stored = client.fetch("grow-" + k, 0, 0).get(10, TimeUnit.SECONDS);
            assertThat(stored)
                    .extracting(StoredMessage::getMid)
                    .containsExactlyElementsOf(all.stream().sorted().toList());
        }
        assertThat(calls("Append")).isZero();
    }

    @Test
    void aBatchOnANodeThatDoesNotAnswerIsRetriedOnAnotherAndStoredOnce() throws Exception {
        // The stuck node takes the batch (its store applies it) but never answers: the client's
        // attempt deadline fires and the same AppendMany goes to the other node, whose store sees
        // the same claims and answers "appended" without storing anything twice.
        startNode("msg-stuck", stuckAnswers(store));
        startNode("msg-ok", store);
        startBatcher(2, 300, 64, 1, 10_000);
        List<CompletableFuture<AppendReply>> answers = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            for (int i = 0; i < 20; i++) {
                answers.add(batcher.append(request("retry-" + i, 10 + round, "r" + round + i)));
            }
            for (CompletableFuture<AppendReply> answer : answers) {
                assertThat(answer.get(10, TimeUnit.SECONDS).getAppended()).isTrue();
            }
        }
        for (int i = 0; i < 20; i++) {
            assertThat(store.heldCount("retry-" + i)).isEqualTo(4);
        }
        assertThat(metrics.meter("messageClient.failures.DEADLINE_EXCEEDED").getCount())
                .isPositive();
    }

    @Test
    void anEntryAnsweredUnavailableIsResentAlone() throws Exception {
        Set<String> failOnce = ConcurrentHashMap.newKeySet();
        failOnce.add("flaky");
        MessageStore flaky =
                delegating(
                        store,
                        entries -> {
                            List<AppendOutcome> out = new ArrayList<>();
                            List<AppendEntry> rest = new ArrayList<>();
                            for (AppendEntry e : entries) {
                                if (!failOnce.remove(e.key())) {
                                    rest.add(e);
                                }
                            }
                            List<AppendOutcome> done =
                                    rest.isEmpty() ? List.of() : store.appendMany(rest).join();
                            int j = 0;
                            for (AppendEntry e : entries) {
                                out.add(
                                        rest.contains(e)
                                                ? done.get(j++)
                                                : AppendOutcome.failed(
                                                        new StoreUnavailableException(
                                                                "region offline", null)));
                            }
                            return CompletableFuture.completedFuture(out);
                        });
        startNode("msg-flaky", flaky);
        startBatcher(1, 3_000, 64, 5, 10_000);
        CompletableFuture<AppendReply> f = batcher.append(request("flaky", 5, "f"));
        CompletableFuture<AppendReply> ok = batcher.append(request("steady", 5, "s"));
        assertThat(ok.get(10, TimeUnit.SECONDS)).isEqualTo(reply(true, 5));
        assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(reply(true, 5));
        assertThat(metrics.meter("appendBatcher.entryRetries").getCount()).isEqualTo(1);
        assertThat(store.heldCount("flaky")).isEqualTo(1);
    }

    @Test
    void aFullBatcherRefusesAtOnceAndCountsIt() throws Exception {
        List<CompletableFuture<AppendManyReply>> never = new CopyOnWriteArrayList<>();
        AtomicInteger entriesSent = new AtomicInteger();
        Function<AppendManyRequest, CompletableFuture<AppendManyReply>> stuck =
                req -> {
                    CompletableFuture<AppendManyReply> f = new CompletableFuture<>();
                    never.add(f);
                    entriesSent.addAndGet(req.getEntriesCount());
                    return f;
                };
        batcher = new AppendBatcher(stuck, 2, 1, 3, 10_000, 100, metrics);
        batcher.start();
        List<CompletableFuture<AppendReply>> waiting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiting.add(batcher.append(request("full-" + i, 1, "c")));
        }
        CompletableFuture<AppendReply> refused = batcher.append(request("full-3", 1, "c"));
        assertThat(refused).isCompletedExceptionally();
        assertThatThrownBy(refused::get)
                .cause()
                .isInstanceOf(AppendQueueFullException.class)
                .hasMessageContaining("3 appends already waiting");
        assertThat(metrics.meter("appendBatcher.queueFull").getCount()).isEqualTo(1);
        assertThat(waiting).allMatch(w -> !w.isDone());
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        // All three appends must be out before the test answers the calls: depending on when the
        // 1 ms timer fires they go as two calls or as three (the last one on the timer), and a
        // call still unsent when the others are answered would hold its append forever.
        while (entriesSent.get() < 3 && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        assertThat(entriesSent.get()).isEqualTo(3);
        // The node answers (whole call failed): the space frees up again. The timer thread that
        // sent the second call may attach its completion handler only after the test completed
        // the call, and then runs it itself: wait for it rather than read the count at once.
        for (CompletableFuture<AppendManyReply> f : List.copyOf(never)) {
            f.completeExceptionally(Status.UNAVAILABLE.asRuntimeException());
        }
        long freed = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (batcher.queued() > 0 && System.nanoTime() < freed) {
            Thread.sleep(5);
        }
        assertThat(batcher.queued()).isZero();
        assertThat(batcher.append(request("full-4", 1, "c"))).isNotCompletedExceptionally();
    }

    /**
     * Sends through the real client but holds each call's answer until the test releases it, and
     * remembers what was sent.
     */
    private final class Gated
            implements Function<AppendManyRequest, CompletableFuture<AppendManyReply>> {
        final List<AppendManyRequest> sent = new CopyOnWriteArrayList<>();
        final List<CompletableFuture<Void>> gates = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<AppendManyReply> apply(AppendManyRequest request) {
            CompletableFuture<Void> gate = new CompletableFuture<>();
            gates.add(gate);
            sent.add(request);
            return client.appendMany(request).thenCombine(gate, (reply, open) -> reply);
        }

        void awaitSent(int n) throws InterruptedException {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (sent.size() < n && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            assertThat(sent).hasSize(n);
        }
    }

    @Test
    void anAppendThatFindsNothingInFlightGoesAtOnceAndOthersFollowItsAnswer() throws Exception {
        startNode("msg-1", store);
        startBatcher(1, 3_000, 1_000, 60_000, 10_000); // a client for Gated
        batcher.stop();
        Gated gated = new Gated();
        batcher = new AppendBatcher(gated, 1_000, 60_000, 10_000, 10_000, 10_000, metrics);

        CompletableFuture<AppendReply> first = batcher.append(request("idle-0", 3, "a"));
        gated.awaitSent(1); // not after maxDelay (a minute): nothing was in flight
        List<CompletableFuture<AppendReply>> next = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            next.add(batcher.append(request("idle-" + i, 3, "b" + i)));
        }
        Thread.sleep(50);
        assertThat(gated.sent).hasSize(1); // they wait for the batch in flight

        gated.gates.get(0).complete(null);
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo(reply(true, 3));
        gated.awaitSent(2); // the first answer sends what gathered meanwhile, as one batch
        assertThat(gated.sent.get(1).getEntriesList())
                .extracting(AppendRequest::getKey)
                .containsExactly("idle-1", "idle-2", "idle-3");
        gated.gates.get(1).complete(null);
        for (CompletableFuture<AppendReply> n : next) {
            assertThat(n.get(10, TimeUnit.SECONDS)).isEqualTo(reply(true, 3));
        }
    }

    @Test
    void stopSendsWhatIsWaitingAndRefusesLaterAppends() throws Exception {
        startNode("msg-1", store);
        startBatcher(1, 3_000, 1_000, 60_000, 10_000); // a client for Gated
        batcher.stop();
        Gated gated = new Gated();
        batcher = new AppendBatcher(gated, 1_000, 60_000, 10_000, 10_000, 10_000, metrics);
        List<CompletableFuture<AppendReply>> answers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            answers.add(batcher.append(request("stop-" + i, 7, "c" + i)));
        }
        gated.awaitSent(1); // stop-0 went at once; the others wait (for a minute at most)
        CompletableFuture<Void> stopped =
                CompletableFuture.runAsync(
                        () -> {
                            try {
                                batcher.stop();
                            } catch (InterruptedException e) {
                                throw new IllegalStateException(e);
                            }
                        });
        gated.awaitSent(2); // stop sent the waiting ones at once ...
        assertThat(stopped).isNotDone(); // ... and waits for the answers
        gated.gates.forEach(g -> g.complete(null));
        stopped.get(10, TimeUnit.SECONDS);
        for (CompletableFuture<AppendReply> a : answers) {
            assertThat(a).isCompletedWithValue(reply(true, 7));
        }
        assertThat(store.heldCount("stop-2")).isEqualTo(1);
        assertThatThrownBy(() -> batcher.append(request("late", 8, "l")).get())
                .isInstanceOf(ExecutionException.class)
                .hasMessageContaining("stopped");
    }

    /** A store that applies every call but never answers AppendMany (a node hanging). */
    private static MessageStore stuckAnswers(MessageStore backing) {
        return delegating(
                backing,
                entries -> {
                    backing.appendMany(entries).join();
                    return new CompletableFuture<>();
                });
    }

    /** {@code backing} with its appendMany replaced. */
    private static MessageStore delegating(
            MessageStore backing,
            Function<List<AppendEntry>, CompletableFuture<List<AppendOutcome>>> appendMany) {
        return (MessageStore)
                Proxy.newProxyInstance(
                        MessageStore.class.getClassLoader(),
                        new Class<?>[] {MessageStore.class},
                        (proxy, method, args) -> {
                            if (method.getName().equals("appendMany")) {
                                @SuppressWarnings("unchecked")
                                List<AppendEntry> entries = (List<AppendEntry>) args[0];
                                return appendMany.apply(entries);
                            }
                            try {
                                return method.invoke(backing, args);
                            } catch (java.lang.reflect.InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
    }
}
