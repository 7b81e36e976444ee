package io.pushbase.cluster.message;

import com.codahale.metrics.Meter;
import io.grpc.ManagedChannel;
import io.pushbase.cluster.NodeDetails;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.curator.x.discovery.ServiceInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The message nodes the client may call: one channel per live instance, opened when the instance
 * appears and shut down when it vanishes, and the choice of node for each attempt.
 *
 * <p>The choice is nginx's smooth weighted round-robin: each pick adds every eligible node's weight
 * to its current weight, takes the node with the largest, and subtracts the eligible total from the
 * winner. Over any run of picks each node's share tracks its weight exactly (within one pick), and
 * a heavy node's turns are interleaved with the others' rather than bunched (weights 5, 1, 1 give
 * {@code a a b a c a a}, not {@code a a a a a b c}) - unlike weighted random, which only converges
 * on average and can send bursts to one node. The price is a lock held for a few additions per
 * pick, cheap next to an RPC for the handful of message nodes a cluster runs.
 *
 * <p>Thread-safe: every method holds the pool's lock; channel shutdown in {@link #close} happens
 * outside it.
 */
final class MessageNodePool {
    private static final Logger LOG = LoggerFactory.getLogger(MessageNodePool.class);

    private final BiFunction<String, Integer, ManagedChannel> channels;
    private final Function<String, Meter> callMeters;
    private List<MessageNode> nodes = List.of();
    private boolean closed;

    /**
     * @param channels opens a (lazily connecting) channel to a host and port
     * @param callMeters the per-node call meter, by instance id
     */
    MessageNodePool(
            BiFunction<String, Integer, ManagedChannel> channels,
            Function<String, Meter> callMeters) {
        this.channels = channels;
        this.callMeters = callMeters;
    }

    /**
     * Makes the pool match the live instances: keeps the channels of instances that stay (taking
     * their new weight), opens channels for new ones and shuts down those of vanished ones. The
     * supplier is read under the lock, so concurrent updates never install an older set over a
     * newer one.
     *
     * <p>Vanished nodes get a graceful {@code shutdown()}: a node that deregistered before stopping
     * still answers the calls it has, a dead one fails them (and they are retried elsewhere), and
     * every call carries a deadline, so the channel terminates within one attempt timeout.
     */
    synchronized void update(Supplier<List<ServiceInstance<NodeDetails>>> live) {
        if (closed) {
            return;
        }
        Map<String, MessageNode> current = new HashMap<>();
        for (MessageNode node : nodes) {
            current.put(node.id, node);
        }
        List<MessageNode> next = new ArrayList<>();
        for (ServiceInstance<NodeDetails> instance : live.get()) {
            if (instance.getPort() == null) {
                LOG.warn("Message node {} registered without a port; ignored", instance.getId());
                continue;
            }
            String address = instance.getAddress() + ":" + instance.getPort();
            NodeDetails details = instance.getPayload();
            // Weight 0 or a missing payload is a misconfigured node, not a request for no traffic.
            int weight = details == null ? 1 : Math.max(1, details.getWeight());
            MessageNode kept = current.remove(instance.getId());
            if (kept != null && kept.address.equals(address)) {
                kept.weight = weight;
                next.add(kept);
                continue;
            }
            if (kept != null) {
                current.put(kept.id, kept); // same id, new address: replace the channel
            }
            String name = details == null ? instance.getId() : details.getNodeName();
            ManagedChannel channel = channels.apply(instance.getAddress(), instance.getPort());
            next.add(
                    new MessageNode(
                            instance.getId(),
                            name,
                            address,
                            weight,
                            channel,
                            callMeters.apply(instance.getId())));
            LOG.info("Message node {} at {} joins with weight {}", name, address, weight);
        }
        for (MessageNode gone : current.values()) {
            LOG.info("Message node {} at {} left; closing its channel", gone.name, gone.address);
            gone.channel.shutdown();
        }
        nodes = List.copyOf(next);
    }

    /**
     * The node for the next attempt: by smooth weighted round-robin among nodes not in {@code
     * excludedIds}, preferring {@linkplain MessageNode#usable() usable} nodes (not ejected by the
     * prober, channel not failing); {@code null} when every live node is excluded or there is none.
     */
    synchronized MessageNode pick(Set<String> excludedIds) {
        MessageNode node = pick(excludedIds, true);
        return node != null ? node : pick(excludedIds, false);
    }

    private MessageNode pick(Set<String> excludedIds, boolean healthyOnly) {
        MessageNode best = null;
        int total = 0;
        for (MessageNode node : nodes) {
            if (excludedIds.contains(node.id) || (healthyOnly && !node.usable())) {
                continue;
            }
            node.currentWeight += node.weight;
            total += node.weight;
            if (best == null || node.currentWeight > best.currentWeight) {
                best = node;
            }
        }
        if (best != null) {
            best.currentWeight -= total;
        }
        return best;
    }

    synchronized List<MessageNode> nodes() {
        return nodes;
    }

    /**
     * Shuts every channel down: running calls get up to {@code graceMillis} in all, then are
     * cancelled. Later updates are ignored.
     */
    void close(long graceMillis) throws InterruptedException {
        List<MessageNode> closing;
        synchronized (this) {
            closed = true;
            closing = nodes;
            nodes = List.of();
        }
        for (MessageNode node : closing) {
            node.channel.shutdown();
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
        for (MessageNode node : closing) {
            long left = Math.max(0, deadline - System.nanoTime());
            if (!node.channel.awaitTermination(left, TimeUnit.NANOSECONDS)) {
                node.channel.shutdownNow();
            }
        }
    }
}
