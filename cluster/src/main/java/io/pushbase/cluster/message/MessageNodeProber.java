package io.pushbase.cluster.message;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import io.pushbase.schema.message.v1.PingReply;
import io.pushbase.schema.message.v1.PingRequest;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Outlier ejection for message nodes: every {@link #INTERVAL_MILLIS} ms each live node gets a
 * {@code Ping} (answered by the node itself, without HBase) with a {@link #TIMEOUT_MILLIS} ms
 * deadline. A node that does not answer in time, or whose attempt of a call just failed ({@link
 * RetryingCall}), is <i>ejected</i>: the pool picks it only when no other node is usable. Its next
 * answered probe brings it back.
 *
 * <p>Why: a node that hangs rather than dies (a frozen process, a stop-the-world pause, a machine
 * that stops answering without resetting connections) keeps its ZooKeeper registration until its
 * session expires and its TCP connections open, so neither discovery nor the channel's state says
 * anything is wrong; without ejection every call picked for it waits its full attempt timeout
 * (issue 13: a frozen node kept being picked for ~12 s). With it, new calls stop going to a hung
 * node within about {@code INTERVAL + TIMEOUT} (0.75 s); calls already on it are retried elsewhere
 * when their attempt deadline passes. gRPC's own keepalive (see {@code GrpcTransport}) cannot do
 * this: grpc-java sends pings at most every 10 s.
 *
 * <p>Metrics: meter {@code messageClient.ejections} (probes failed after an answered one: a node
 * that stopped answering).
 *
 * <p>Threading: probes are sent from the client's timer thread and answered on gRPC threads; a node
 * has at most one probe in flight. Ownership: borrows the pool and the timer of its {@link
 * MessageNodeClient}; {@link #stop()} cancels the schedule (probes in flight finish on their own).
 */
final class MessageNodeProber {
    private static final Logger LOG = LoggerFactory.getLogger(MessageNodeProber.class);

    static final long INTERVAL_MILLIS = 250;
    static final long TIMEOUT_MILLIS = 500;

    private final MessageNodePool pool;
    private final ScheduledExecutorService timer;
    private final Meter ejections;
    private ScheduledFuture<?> schedule;

    MessageNodeProber(
            MessageNodePool pool, ScheduledExecutorService timer, MetricRegistry metrics) {
        this.pool = pool;
        this.timer = timer;
        this.ejections = metrics.meter(ClientMetrics.PREFIX + ".ejections");
    }

    synchronized void start() {
        schedule =
                timer.scheduleWithFixedDelay(
                        this::probeAll, INTERVAL_MILLIS, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    }

    synchronized void stop() {
        if (schedule != null) {
            schedule.cancel(false);
        }
    }

    private void probeAll() {
        try {
            for (MessageNode node : pool.nodes()) {
                if (!node.probing) {
                    probe(node);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Probing message nodes failed; next round in {} ms", INTERVAL_MILLIS, e);
        }
    }

    private void probe(MessageNode node) {
        node.probing = true;
        StreamObserver<PingReply> answer =
                new StreamObserver<>() {
                    @Override
                    public void onNext(PingReply reply) {}

                    @Override
                    public void onError(Throwable t) {
                        // A node never heard from may just be connecting: not worth a warning.
                        if (!node.probeFailed && node.probeAnswered) {
                            ejections.mark();
                            LOG.warn(
                                    "Message node {} did not answer a probe within {} ms ({});"
                                            + " ejected until it does",
                                    node,
                                    TIMEOUT_MILLIS,
                                    t.toString());
                        }
                        node.probeFailed = true;
                        node.ejected = true;
                        node.probing = false;
                    }

                    @Override
                    public void onCompleted() {
                        if (node.probeFailed) {
                            LOG.info("Message node {} answers probes again", node);
                        }
                        node.probeFailed = false;
                        node.probeAnswered = true;
                        node.ejected = false;
                        node.probing = false;
                    }
                };
        try {
            Context.current()
                    .fork()
                    .run(
                            () ->
                                    node.stub
                                            .withDeadlineAfter(
                                                    TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
                                            .ping(PingRequest.getDefaultInstance(), answer));
        } catch (RuntimeException e) {
            answer.onError(e);
        }
    }
}
