package io.pushbase.cluster.message;

import com.codahale.metrics.Meter;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.pushbase.schema.message.v1.MessageServiceGrpc;
import io.pushbase.schema.message.v1.MessageServiceGrpc.MessageServiceStub;

/**
 * One live message node as the client sees it: its channel and stub, its metric, and its state in
 * the weighted round-robin. The channel is owned by {@link MessageNodePool}; {@code weight} and
 * {@code currentWeight} are guarded by the pool's lock.
 */
final class MessageNode {
    final String id;
    final String name;
    final String address;
    final ManagedChannel channel;
    final MessageServiceStub stub;
    final Meter calls;

    int weight;
    int currentWeight;

    /**
     * Set when the node failed a probe or an attempt ({@link MessageNodeProber}); cleared by its
     * next answered probe. An ejected node is picked only when no other is usable.
     */
    volatile boolean ejected;

    /** The last probe of this node failed (for logging the change once). */
    volatile boolean probeFailed;

    /** A probe of this node has been answered at least once. */
    volatile boolean probeAnswered;

    /** A probe of this node is in flight (the prober sends one at a time per node). */
    volatile boolean probing;

    MessageNode(
            String id,
            String name,
            String address,
            int weight,
            ManagedChannel channel,
            Meter calls) {
        this.id = id;
        this.name = name;
        this.address = address;
        this.weight = weight;
        this.channel = channel;
        this.stub = MessageServiceGrpc.newStub(channel);
        this.calls = calls;
    }

    /**
     * The channel's last connection attempt failed and it is waiting to reconnect: a call now would
     * fail at once, so the pool prefers other nodes. Does not trigger a connection.
     */
    boolean failing() {
        return channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE;
    }

    /** Neither ejected nor with a failed connection: the pool's first choice. */
    boolean usable() {
        return !ejected && !failing();
    }

    @Override
    public String toString() {
        return name.equals(id) ? id : name + " (" + id + ")";
    }
}
