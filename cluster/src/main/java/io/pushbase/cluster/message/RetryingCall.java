package io.pushbase.cluster.message;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.pushbase.schema.message.v1.MessageServiceGrpc.MessageServiceStub;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One logical call of {@link MessageNodeClient}: its attempts, on different nodes, until one
 * answers, the failure cannot be helped by another node, or the total bound is spent.
 *
 * <p>Rules:
 *
 * <ul>
 *   <li>Retried: {@code UNAVAILABLE} (node down, unreachable, shutting down, or its HBase not
 *       answering), {@code DEADLINE_EXCEEDED} (the attempt's own deadline), and {@code CANCELLED}.
 *       Attempts run detached from the caller's gRPC context, so the client never cancels its own
 *       attempts while it runs: a {@code CANCELLED} can only come from the node, which is how a
 *       node that stops hard resets its open calls ({@code RST_STREAM CANCEL}).
 *   <li>Anything else ({@code INVALID_ARGUMENT} above all) ends the call at once with the node's
 *       {@link StatusRuntimeException}: another node would say the same.
 *   <li>The next attempt goes to a node not yet tried in this round. When every live node has
 *       failed in the round (or none is live), the call waits a backoff (50 ms doubling to 1 s) and
 *       starts a new round that skips only the node that failed last, unless it is the only one.
 *   <li>Each attempt's deadline is the attempt timeout, cut to what is left of the total bound;
 *       when the bound is spent the call fails with {@link MessageNodesUnavailableException}.
 * </ul>
 *
 * <p>Threading: one attempt at a time, each started from the previous one's gRPC callback or from
 * the client's timer, so the fields below are only ever touched by one thread at a time and the
 * executor hand-offs order those touches; no lock is needed.
 */
final class RetryingCall<R, T> {
    private static final Logger LOG = LoggerFactory.getLogger(RetryingCall.class);

    private static final Set<Status.Code> RETRYABLE =
            EnumSet.of(
                    Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED, Status.Code.CANCELLED);

    static final long MIN_BACKOFF_MILLIS = 50;
    static final long MAX_BACKOFF_MILLIS = 1_000;

    /** Starts one attempt of the RPC on a stub. */
    @FunctionalInterface
    interface Rpc<R> {
        void start(MessageServiceStub stub, StreamObserver<R> replies);
    }

    /** Runs {@code next} after a delay, or at once when the client stops first. */
    @FunctionalInterface
    interface Later {
        void run(Runnable next, long delayNanos);
    }

    private final String op;
    private final Rpc<R> rpc;
    private final Function<R, T> result;
    private final MessageNodePool pool;
    private final Later later;
    private final ClientMetrics metrics;
    private final BooleanSupplier stopped;
    private final long attemptNanos;
    private final long startNanos;
    private final long deadlineNanos;
    private final CompletableFuture<T> future = new CompletableFuture<>();

    private final Set<String> triedThisRound = new HashSet<>();
    private final List<String> triedNodes = new ArrayList<>();
    private int attempts;
    private int attemptsThisRound;
    private String lastFailedId;
    private Status lastStatus;
    private long backoffMillis = MIN_BACKOFF_MILLIS;

    RetryingCall(
            String op,
            Rpc<R> rpc,
            Function<R, T> result,
            MessageNodePool pool,
            Later later,
            ClientMetrics metrics,
            BooleanSupplier stopped,
            long attemptMillis,
            long totalMillis) {
        this.op = op;
        this.rpc = rpc;
        this.result = result;
        this.pool = pool;
        this.later = later;
        this.metrics = metrics;
        this.stopped = stopped;
        this.attemptNanos = TimeUnit.MILLISECONDS.toNanos(attemptMillis);
        this.startNanos = System.nanoTime();
        this.deadlineNanos = startNanos + TimeUnit.MILLISECONDS.toNanos(totalMillis);
    }

    CompletableFuture<T> start() {
        attempt();
        return future;
    }

    private void attempt() {
        if (future.isDone()) {
            return; // e.g. cancelled by the caller: no further attempts
        }
        if (stopped.getAsBoolean()) {
            future.completeExceptionally(
                    new IllegalStateException(
                            "message node client is stopped; " + op + " abandoned"));
            return;
        }
        long remaining = deadlineNanos - System.nanoTime();
        if (remaining <= 0) {
            giveUp();
            return;
        }
        MessageNode node = pool.pick(triedThisRound);
        if (node == null && attemptsThisRound == 0 && !triedThisRound.isEmpty()) {
            // "Another node" holds only while another exists: the one that failed last is all.
            node = pool.pick(Set.of());
        }
        if (node == null) {
            waitForNextRound(remaining);
            return;
        }
        attempts++;
        attemptsThisRound++;
        triedThisRound.add(node.id);
        if (!triedNodes.contains(node.toString())) {
            triedNodes.add(node.toString());
        }
        metrics.attempts.mark();
        if (attempts > 1) {
            metrics.retries.mark();
        }
        node.calls.mark();
        MessageServiceStub stub =
                node.stub.withDeadlineAfter(
                        Math.min(attemptNanos, remaining), TimeUnit.NANOSECONDS);
        Attempt replies = new Attempt(node);
        // Detached from the caller's context: a comet appending from inside its own gRPC handler
        // must not see the append cancelled, or its deadline cut, when the web node's call ends.
        // This call's bounds are its own.
        try {
            Context.current().fork().run(() -> rpc.start(stub, replies));
        } catch (RuntimeException e) {
            replies.onError(e); // never leave the caller's future hanging
        }
    }

    private void waitForNextRound(long remainingNanos) {
        long delay = Math.min(TimeUnit.MILLISECONDS.toNanos(backoffMillis), remainingNanos);
        backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF_MILLIS);
        later.run(this::nextRound, delay);
    }

    private void nextRound() {
        triedThisRound.clear();
        if (lastFailedId != null) {
            triedThisRound.add(lastFailedId);
        }
        attemptsThisRound = 0;
        attempt();
    }

    private void failed(MessageNode node, Throwable error) {
        Status status = Status.fromThrowable(error);
        metrics.failures(status.getCode()).mark();
        if (!RETRYABLE.contains(status.getCode())) {
            LOG.debug("{} on {} failed with {}; not retried", op, node, status);
            future.completeExceptionally(
                    error instanceof StatusRuntimeException ? error : status.asRuntimeException());
            return;
        }
        LOG.debug("{} on {} failed with {}; retrying on another node", op, node, status);
        // Prefer other nodes until the node answers a probe again (MessageNodeProber).
        node.ejected = true;
        lastFailedId = node.id;
        lastStatus = status;
        attempt();
    }

    private void giveUp() {
        metrics.exhausted.mark();
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        MessageNodesUnavailableException e =
                new MessageNodesUnavailableException(
                        op, List.copyOf(triedNodes), lastStatus, attempts, elapsedMillis);
        // Not logged as a warning here: in an outage every call ends this way; the caller logs it
        // with the key and mid, and messageClient.exhausted counts it.
        LOG.debug("{}", e.getMessage());
        future.completeExceptionally(e);
    }

    /** The replies of one attempt on one node. */
    private final class Attempt implements StreamObserver<R> {
        private final MessageNode node;
        private R reply;

        Attempt(MessageNode node) {
            this.node = node;
        }

        @Override
        public void onNext(R value) {
            reply = value;
        }

        @Override
        public void onError(Throwable t) {
            failed(node, t);
        }

        @Override
        public void onCompleted() {
            try {
                future.complete(result.apply(reply));
            } catch (RuntimeException e) {
                future.completeExceptionally(e);
            }
        }
    }
}
