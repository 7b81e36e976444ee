package io.pushbase.cluster.message;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.dropwizard.lifecycle.Managed;
import io.grpc.Context;
import io.grpc.Status;
import io.pushbase.cluster.discovery.LiveNodes;
import io.pushbase.cluster.grpc.GrpcFutures;
import io.pushbase.cluster.grpc.GrpcTransport;
import io.pushbase.schema.ZkPaths;
import io.pushbase.schema.health.v1.HealthReply;
import io.pushbase.schema.health.v1.HealthRequest;
import io.pushbase.schema.message.v1.AckManyReply;
import io.pushbase.schema.message.v1.AckManyRequest;
import io.pushbase.schema.message.v1.AppendManyReply;
import io.pushbase.schema.message.v1.AppendManyRequest;
import io.pushbase.schema.message.v1.AppendReply;
import io.pushbase.schema.message.v1.AppendRequest;
import io.pushbase.schema.message.v1.CursorsReply;
import io.pushbase.schema.message.v1.CursorsRequest;
import io.pushbase.schema.message.v1.DeleteReply;
import io.pushbase.schema.message.v1.DeleteRequest;
import io.pushbase.schema.message.v1.FetchReply;
import io.pushbase.schema.message.v1.FetchRequest;
import io.pushbase.schema.message.v1.LastReply;
import io.pushbase.schema.message.v1.LastRequest;
import io.pushbase.schema.message.v1.MessageServiceGrpc;
import io.pushbase.schema.message.v1.PingReply;
import io.pushbase.schema.message.v1.PingRequest;
import io.pushbase.schema.message.v1.StoredMessage;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The message nodes' {@code MessageService} as comets and web nodes call it: follows the live
 * message nodes in discovery, keeps one gRPC channel per node, spreads calls across them by weight
 * (smooth weighted round-robin, see {@link MessageNodePool}), retries a failed call on another
 * node, and ejects a node that stops answering ({@link MessageNodeProber}: a probe every 250 ms; a
 * hung node stops getting new calls within about 0.75 s).
 *
 * <p>Failure semantics. Every operation returns at once; its future completes with the answer, or
 * fails with:
 *
 * <ul>
 *   <li>the node's {@link io.grpc.StatusRuntimeException} for {@code INVALID_ARGUMENT} (its
 *       description names the problem) and any other status a different node could not change -
 *       never retried;
 *   <li>{@link MessageNodesUnavailableException} when attempts failing with {@code UNAVAILABLE},
 *       {@code DEADLINE_EXCEEDED} or {@code CANCELLED} (a node dying or vanishing mid-call) found
 *       no node to take the call within the total bound. Each attempt has its own deadline (the
 *       attempt timeout) and goes to a node other than the one that just failed while another is
 *       live; see {@link RetryingCall} for the exact rules.
 * </ul>
 *
 * <p>Retries are safe because every {@code MessageService} RPC is idempotent: an append carries its
 * claim, so an append whose answer was lost may be sent to another node, which recognises the
 * earlier attempt and stores the message once (docs/MIDS.md); reads and deletes repeat harmlessly.
 * For the same reason a failed append may still have taken its mid.
 *
 * <p>Threading: thread-safe and non-blocking - no thread per call; attempts use gRPC's async stubs.
 * Futures complete on gRPC's callback threads or on the client's single retry-timer thread, so
 * dependent stages must not block. Calls run detached from the caller's gRPC context (its
 * cancellation and deadline do not apply; this client's bounds do).
 *
 * <p>Ownership: borrows {@link LiveNodes} of service {@value ZkPaths#SERVICE_MESSAGE} (start it
 * before this client, stop it after); owns the channels and the timer thread, released by {@link
 * #stop()}, which gives running calls up to one attempt timeout and fails the rest.
 *
 * <p>Metrics (in the registry passed in): meters {@code messageClient.attempts}, {@code
 * messageClient.retries} (attempts after a call's first), {@code messageClient.failures.<CODE>}
 * (failed attempts by gRPC status; one per code from the start), {@code
 * messageClient.node.<instance id>.calls} (attempts per node), {@code messageClient.ejections}
 * (nodes that stopped answering probes), {@code messageClient.exhausted} (calls that ended in
 * {@link MessageNodesUnavailableException}); timers {@code messageClient.<op>} per operation,
 * retries included; gauge {@code messageClient.liveNodes} (message nodes it sends to now).
 */
public final class MessageNodeClient implements Managed {
    /**
     * Largest reply accepted: a Fetch answers up to the per-key cap of messages of up to the
     * largest payload (100 x 64 KiB by default, 6.4 MiB), well above gRPC's 4 MiB default; 16 MiB
     * leaves room for a raised cap.
     */
    public static final int MAX_INBOUND_MESSAGE_BYTES = 16 * 1024 * 1024;

    private enum State {
        NEW,
        STARTED,
        STOPPED
    }

    private final LiveNodes nodes;
    private final long attemptTimeoutMillis;
    private final long totalTimeoutMillis;
    private final ClientMetrics metrics;
    private final MessageNodePool pool;
    private final ScheduledExecutorService timer;
    private final MessageNodeProber prober;
    private final Set<Runnable> waiting = ConcurrentHashMap.newKeySet();
    private final Runnable followNodes;
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);

    /**
     * @param nodes live instances of service {@value ZkPaths#SERVICE_MESSAGE}
     * @param attemptTimeoutMillis deadline of one attempt on one node
     * @param totalTimeoutMillis bound of a whole call, retries included
     */
    public MessageNodeClient(
            LiveNodes nodes,
            long attemptTimeoutMillis,
            long totalTimeoutMillis,
            MetricRegistry metrics) {
        this(nodes, attemptTimeoutMillis, totalTimeoutMillis, metrics, GrpcTransport.network());
    }

    /**
     * @param nodes live instances of service {@value ZkPaths#SERVICE_MESSAGE}
     * @param attemptTimeoutMillis deadline of one attempt on one node
     * @param totalTimeoutMillis bound of a whole call, retries included
     * @param transport how channels to the nodes are opened (in-process to a node of this JVM)
     */
    public MessageNodeClient(
            LiveNodes nodes,
            long attemptTimeoutMillis,
            long totalTimeoutMillis,
            MetricRegistry metrics,
            GrpcTransport transport) {
        if (!ZkPaths.SERVICE_MESSAGE.equals(nodes.serviceName())) {
            throw new IllegalArgumentException(
                    "needs the live nodes of service '"
                            + ZkPaths.SERVICE_MESSAGE
                            + "', got '"
                            + nodes.serviceName()
                            + "'");
        }
        if (attemptTimeoutMillis <= 0 || totalTimeoutMillis < attemptTimeoutMillis) {
            throw new IllegalArgumentException(
                    "need 0 < attempt timeout <= total timeout, got "
                            + attemptTimeoutMillis
                            + " ms and "
                            + totalTimeoutMillis
                            + " ms");
        }
        this.nodes = nodes;
        this.attemptTimeoutMillis = attemptTimeoutMillis;
        this.totalTimeoutMillis = totalTimeoutMillis;
        this.metrics = new ClientMetrics(metrics);
        this.pool =
                new MessageNodePool(
                        (host, port) ->
                                transport
                                        .channelTo(host + ":" + port)
                                        .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
                                        .build(),
                        this.metrics::nodeCalls);
        this.metrics.liveNodes(() -> pool.nodes().size());
        // One daemon thread: waits between rounds of retries, and the prober's schedule.
        this.timer =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "message-client-timer");
                            t.setDaemon(true);
                            return t;
                        });
        this.followNodes = () -> pool.update(nodes::instances);
        this.prober = new MessageNodeProber(pool, timer, metrics);
    }

    @Override
    public void start() {
        if (!state.compareAndSet(State.NEW, State.STARTED)) {
            throw new IllegalStateException("message node client already started");
        }
        nodes.addListener(followNodes);
        followNodes.run();
        prober.start();
    }

    @Override
    public void stop() throws InterruptedException {
        if (state.getAndSet(State.STOPPED) == State.STOPPED) {
            return;
        }
        nodes.removeListener(followNodes);
        prober.stop();
        timer.shutdownNow();
        // Calls waiting for their next round: run them now; each sees the stopped client and fails.
        for (Runnable next : List.copyOf(waiting)) {
            runWaiting(next);
        }
        pool.close(attemptTimeoutMillis);
    }

    /**
     * Runs {@code next} on the timer after {@code delayNanos}. Waits are tracked because the
     * timer's own pending tasks cannot be run once it is shut down: {@link #stop()} runs them
     * itself, and a wait that arrives after that runs at once; either way the call then fails.
     */
    private void later(Runnable next, long delayNanos) {
        waiting.add(next);
        try {
            timer.schedule(() -> runWaiting(next), delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            runWaiting(next);
        }
    }

    private void runWaiting(Runnable next) {
        if (waiting.remove(next)) {
            next.run();
        }
    }

    /** Instance ids of the message nodes this client sends to now, sorted. */
    public List<String> liveNodeIds() {
        return pool.nodes().stream().map(n -> n.id).toList();
    }

    /**
     * Instance ids of the live nodes that have answered a probe and are not ejected now (the pool's
     * first choices); from then on an ejection counts in {@code messageClient.ejections}.
     */
    public List<String> answeringNodeIds() {
        return pool.nodes().stream()
                .filter(n -> n.probeAnswered && n.usable())
                .map(n -> n.id)
                .toList();
    }

    /**
     * Appends one message with store-enforced ordering (docs/MIDS.md). The same request, with the
     * same claim, is what a retry on another node sends, so a retry after a lost answer is
     * idempotent. Completes with the node's answer: appended, or refused with the key's head.
     */
    public CompletableFuture<AppendReply> append(AppendRequest request) {
        return this.<AppendReply, AppendReply>call(
                "append", (stub, out) -> stub.append(request, out), reply -> reply);
    }

    /**
     * Appends many messages in one call ({@code AppendMany}, see message.proto), each entry with
     * its own key, mid and claim; completes with one outcome per entry, in order. The whole call is
     * retried on another node like any other (every entry is idempotent by its claim); entries the
     * answering node reports {@code UNAVAILABLE} are left to the caller ({@link AppendBatcher}
     * retries them).
     */
    public CompletableFuture<AppendManyReply> appendMany(AppendManyRequest request) {
        return this.<AppendManyReply, AppendManyReply>call(
                "appendMany", (stub, out) -> stub.appendMany(request, out), reply -> reply);
    }

    /**
     * The unexpired messages of {@code key} with mid &gt; {@code after}, ascending, at most {@code
     * limit} (0 = the node's cap). The proto values are immutable and their payloads are not
     * copied.
     */
    public CompletableFuture<List<StoredMessage>> fetch(String key, long after, int limit) {
        FetchRequest request =
                FetchRequest.newBuilder().setKey(key).setAfter(after).setLimit(limit).build();
        return this.<FetchReply, List<StoredMessage>>call(
                "fetch", (stub, out) -> stub.fetch(request, out), FetchReply::getMessagesList);
    }

    /**
     * {@link #fetch}, with the key's low-water mark ({@code FetchReply.floor}, message.proto):
     * every message with mid at or below it may be gone, so a reader that has every message up to
     * {@code after} has them all when {@code after >= floor}. A node that does not know the field
     * answers without it. Used by a comet's resume and by the opt-in completeness answer of the
     * HTTP pull.
     */
    public CompletableFuture<FetchReply> fetchWithFloor(String key, long after, int limit) {
        FetchRequest request =
                FetchRequest.newBuilder()
                        .setKey(key)
                        .setAfter(after)
                        .setLimit(limit)
                        .setWithFloor(true)
                        .build();
        return this.<FetchReply, FetchReply>call(
                "fetch", (stub, out) -> stub.fetch(request, out), reply -> reply);
    }

    /**
     * (Pushbase, issue 14) {@link #fetchWithFloor} of room {@code room}'s log: its stored messages
     * with mid &gt; {@code after}, ascending, with the room log's low-water mark. A room's resume
     * on a comet and the room pull of a web node read through here.
     */
    public CompletableFuture<FetchReply> fetchRoomWithFloor(String room, long after, int limit) {
        FetchRequest request =
                FetchRequest.newBuilder()
                        .setRoom(room)
                        .setAfter(after)
                        .setLimit(limit)
                        .setWithFloor(true)
                        .build();
        return this.<FetchReply, FetchReply>call(
                "fetch", (stub, out) -> stub.fetch(request, out), reply -> reply);
    }

    /** The largest stored mid of {@code key}, 0 if it has none. */
    public CompletableFuture<Long> last(String key) {
        LastRequest request = LastRequest.newBuilder().setKey(key).build();
        return this.<LastReply, Long>call(
                "last", (stub, out) -> stub.last(request, out), reply -> reply.getMid());
    }

    /**
     * (Pushbase, acknowledgements) Raises device cursors ({@code AckMany}, message.proto): one
     * outcome per entry, in order. Retried on another node like any call (a cursor only rises, so
     * an ack applied twice is one ack).
     */
    public CompletableFuture<AckManyReply> ackMany(AckManyRequest request) {
        return this.<AckManyReply, AckManyReply>call(
                "ackMany", (stub, out) -> stub.ackMany(request, out), reply -> reply);
    }

    /** (Pushbase, delivery receipts) The device cursors of {@code key} and its head. */
    public CompletableFuture<CursorsReply> cursors(String key) {
        CursorsRequest request = CursorsRequest.newBuilder().setKey(key).build();
        return this.<CursorsReply, CursorsReply>call(
                "cursors", (stub, out) -> stub.cursors(request, out), reply -> reply);
    }

    /** Removes every stored message of {@code key}. */
    public CompletableFuture<Void> delete(String key) {
        DeleteRequest request = DeleteRequest.newBuilder().setKey(key).build();
        return this.<DeleteReply, Void>call(
                "delete", (stub, out) -> stub.delete(request, out), reply -> null);
    }

    /**
     * Asks one message node (as any call would pick it) whether it answers; completes with its
     * instance id. For health checks: a node that answers is one a pull or a push can reach now.
     */
    public CompletableFuture<String> ping() {
        PingRequest request = PingRequest.getDefaultInstance();
        return this.<PingReply, String>call(
                "ping", (stub, out) -> stub.ping(request, out), PingReply::getNode);
    }

    /**
     * The health checks of one message node ({@code Health}), over this client's channel to it: no
     * retry, no other node, bounded by {@code deadlineMillis}. Fails with gRPC's {@code
     * StatusRuntimeException} ({@code UNAVAILABLE} when the node is not among this client's live
     * nodes). For the web node's cluster view, which shows every node's checks.
     *
     * @param instanceId the node's instance id in discovery ({@link #liveNodeIds()})
     */
    public CompletableFuture<HealthReply> health(String instanceId, long deadlineMillis) {
        MessageNode node =
                pool.nodes().stream().filter(n -> n.id.equals(instanceId)).findFirst().orElse(null);
        if (node == null || state.get() != State.STARTED) {
            return CompletableFuture.failedFuture(
                    Status.UNAVAILABLE
                            .withDescription(
                                    "message node "
                                            + instanceId
                                            + " is not among the client's live nodes")
                            .asRuntimeException());
        }
        // Detached from the caller's gRPC context, as every call of this client.
        try {
            return Context.current()
                    .fork()
                    .call(
                            () ->
                                    GrpcFutures.toCompletableFuture(
                                            MessageServiceGrpc.newFutureStub(node.channel)
                                                    .withDeadlineAfter(
                                                            deadlineMillis, TimeUnit.MILLISECONDS)
                                                    .health(HealthRequest.getDefaultInstance())));
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private <R, T> CompletableFuture<T> call(
            String op, RetryingCall.Rpc<R> rpc, Function<R, T> result) {
        if (state.get() != State.STARTED) {
            return CompletableFuture.failedFuture(
                    new IllegalStateException("message node client is " + state.get()));
        }
        Timer.Context time = metrics.call(op).time();
        CompletableFuture<T> answer =
                new RetryingCall<>(
                                op,
                                rpc,
                                result,
                                pool,
                                this::later,
                                metrics,
                                () -> state.get() == State.STOPPED,
                                attemptTimeoutMillis,
                                totalTimeoutMillis)
                        .start();
        answer.whenComplete((v, e) -> time.stop());
        return answer;
    }

    @Override
    public String toString() {
        return "MessageNodeClient" + liveNodeIds();
    }
}
