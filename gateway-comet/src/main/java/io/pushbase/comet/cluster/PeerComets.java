package io.pushbase.comet.cluster;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.google.protobuf.UnsafeByteOperations;
import io.dropwizard.lifecycle.Managed;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.pushbase.cluster.NodeDetails;
import io.pushbase.cluster.discovery.LiveNodes;
import io.pushbase.cluster.grpc.GrpcFutures;
import io.pushbase.cluster.grpc.GrpcTransport;
import io.pushbase.comet.push.RoomPeers;
import io.pushbase.schema.comet.v1.CometServiceGrpc;
import io.pushbase.schema.comet.v1.DeliverRoomRequest;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.curator.x.discovery.ServiceInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * (Pushbase, issue 14) The other comets, as a room's owner sends them its room messages ({@link
 * RoomPeers}): every comet registered in discovery under another node name (registered comets are
 * the leaders; a standby holds no connections), reached at its {@code grpc} address with {@code
 * DeliverRoom}, each call bounded by {@code deadlineMillis}.
 *
 * <p><b>Order:</b> the calls of one room to one comet form a chain — the next starts once the
 * previous has answered or failed — so a comet receives a room's messages in mid order (the owner
 * sends them in that order, its room sequencer running one push at a time). Chains of different
 * rooms or comets run in parallel.
 *
 * <p><b>Bounded:</b> at most {@code maxQueuedPerPeer} messages wait in one chain; one more is not
 * sent to that comet (meter {@code comet.rooms.peer.dropped}, a log line at most every 10 s): that
 * comet's members miss it live and get it when they resume the room. A call that fails or times out
 * is counted ({@code comet.rooms.peer.failed}) and the chain goes on; its members likewise miss
 * that message live. Meter {@code comet.rooms.peer.sent} counts calls answered.
 *
 * <p>Thread-safe. Ownership: opens and owns one gRPC channel per peer address (closed when the peer
 * leaves discovery and on {@link #stop()}); borrows the live view of comets.
 */
public final class PeerComets implements RoomPeers, Managed {
    private static final Logger LOG = LoggerFactory.getLogger(PeerComets.class);
    private static final long WARN_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** One room's chain of calls to one comet. */
    private static final class Chain {
        CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
        int queued;
    }

    private final LiveNodes comets;
    private final String nodeName;
    private final GrpcTransport transport;
    private final long deadlineMillis;
    private final int maxQueuedPerPeer;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private final Map<String, Chain> chains = new ConcurrentHashMap<>();
    private final Meter sent;
    private final Meter failed;
    private final Meter dropped;
    private final Runnable onChange = this::retain;
    private volatile long lastWarned;
    private volatile boolean stopped;

    /**
     * @param comets the live view of the comet service
     * @param nodeName this comet's node name (its own registrations are not peers)
     */
    public PeerComets(
            LiveNodes comets,
            String nodeName,
            GrpcTransport transport,
            long deadlineMillis,
            int maxQueuedPerPeer,
            MetricRegistry metrics) {
        this.comets = comets;
        this.nodeName = nodeName;
        this.transport = transport;
        this.deadlineMillis = deadlineMillis;
        this.maxQueuedPerPeer = maxQueuedPerPeer;
        this.sent = metrics.meter("comet.rooms.peer.sent");
        this.failed = metrics.meter("comet.rooms.peer.failed");
        this.dropped = metrics.meter("comet.rooms.peer.dropped");
    }

    /** The gRPC addresses of the other comets now. */
    public Set<String> peers() {
        Set<String> out = new HashSet<>();
        for (ServiceInstance<NodeDetails> i : comets.instances()) {
            NodeDetails d = i.getPayload();
            if (d == null || nodeName.equals(d.getNodeName())) {
                continue;
            }
            String grpc = d.getAddresses().get("grpc");
            if (grpc != null) {
                out.add(grpc);
            }
        }
        return out;
    }

    @Override
    public int send(String room, long mid, byte[] payload, long spreadMillis) {
        if (stopped) {
            return 0;
        }
        Set<String> peers = peers();
        if (peers.isEmpty()) {
            return 0;
        }
        DeliverRoomRequest request =
                DeliverRoomRequest.newBuilder()
                        .setRoom(room)
                        .setMid(mid)
                        .setPayload(UnsafeByteOperations.unsafeWrap(payload))
                        .setSender(nodeName)
                        .setSpreadMillis(spreadMillis)
                        .build();
        int queued = 0;
        for (String peer : peers) {
            if (enqueue(room, peer, request)) {
                queued++;
            }
        }
        return queued;
    }

    private boolean enqueue(String room, String peer, DeliverRoomRequest request) {
        String id = peer + "\n" + room;
        CompletableFuture<Void> done = new CompletableFuture<>();
        @SuppressWarnings("unchecked")
        CompletableFuture<Void>[] previous = new CompletableFuture[1];
        chains.compute(
                id,
                (k, chain) -> {
                    Chain c = chain != null ? chain : new Chain();
                    if (c.queued < maxQueuedPerPeer) {
                        c.queued++;
                        previous[0] = c.tail;
                        c.tail = done;
                    }
                    return c;
                });
        if (previous[0] == null) {
            dropped.mark();
            warn(
                    "Room {} mid {} not sent to comet {}: {} messages already queued for it",
                    request.getRoom(),
                    request.getMid(),
                    peer,
                    maxQueuedPerPeer);
            return false;
        }
        previous[0].whenComplete(
                (ignored, err) ->
                        call(peer, request)
                                .whenComplete(
                                        (reply, failure) -> {
                                            if (failure == null) {
                                                sent.mark();
                                            } else {
                                                failed.mark();
                                                warn(
                                                        "Room {} mid {} not delivered by comet {}:"
                                                                + " {}",
                                                        request.getRoom(),
                                                        request.getMid(),
                                                        peer,
                                                        GrpcFutures.unwrap(failure).toString());
                                            }
                                            chains.compute(
                                                    id,
                                                    (k, c) -> {
                                                        if (c == null) {
                                                            return null;
                                                        }
                                                        c.queued--;
                                                        return c.queued == 0 ? null : c;
                                                    });
                                            done.complete(null);
                                        }));
        return true;
    }

    private CompletableFuture<?> call(String peer, DeliverRoomRequest request) {
        if (stopped) {
            return CompletableFuture.failedFuture(new IllegalStateException("stopped"));
        }
        try {
            ManagedChannel channel =
                    channels.computeIfAbsent(peer, a -> transport.channelTo(a).build());
            // Started outside the caller's gRPC context: an idle chain starts the call on the
            // thread of the PushRoom (or DeliverRoom) call that sent the message, and a call
            // started inside a server call's context is cancelled when that call answers — which
            // it does without waiting for the peers. A fork keeps the context's values but not
            // its cancellation (as MessageNodeClient does for its calls).
            return Context.current()
                    .fork()
                    .call(
                            () ->
                                    GrpcFutures.toCompletableFuture(
                                            CometServiceGrpc.newFutureStub(channel)
                                                    .withDeadlineAfter(
                                                            deadlineMillis, TimeUnit.MILLISECONDS)
                                                    .deliverRoom(request)));
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private void warn(String format, Object... args) {
        long now = System.nanoTime();
        if (now - lastWarned >= WARN_EVERY_NANOS) {
            lastWarned = now;
            LOG.warn(format, args);
        } else {
            LOG.debug(format, args);
        }
    }

    /** Closes the channels of comets that left discovery. */
    private void retain() {
        Set<String> live = peers();
        channels.entrySet()
                .removeIf(
                        e -> {
                            if (live.contains(e.getKey())) {
                                return false;
                            }
                            e.getValue().shutdown();
                            return true;
                        });
    }

    @Override
    public void start() {
        comets.addListener(onChange);
    }

    @Override
    public void stop() throws InterruptedException {
        stopped = true;
        comets.removeListener(onChange);
        for (ManagedChannel channel : channels.values()) {
            channel.shutdownNow();
        }
        for (ManagedChannel channel : channels.values()) {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        }
        channels.clear();
    }
}
