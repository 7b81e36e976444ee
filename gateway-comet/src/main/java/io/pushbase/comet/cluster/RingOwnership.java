package io.pushbase.comet.cluster;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import io.dropwizard.lifecycle.Managed;
import io.pushbase.cluster.discovery.LiveNodes;
import io.pushbase.cluster.ring.HashRing;
import io.pushbase.cluster.ring.RingWeights;
import io.pushbase.comet.channel.KeyChannels;
import io.pushbase.schema.ZkPaths;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which keys this comet serves: those the hash ring over the live comet node names places on its
 * node name, while it is its node name's active leader (docs/PROTOCOL.md section 4). Keeps the ring
 * in step with the comets registered in discovery and closes the connections of keys that are no
 * longer this comet's, so their clients look their node up again and reconnect to the new owner
 * (gopush-cluster's Migrate, without a web-driven RPC).
 *
 * <p><b>The ring</b> is built from {@code nodeName -> weight} of every registered comet (only
 * leaders register, one per node name; should two instances of one name be seen during a handover,
 * the one whose instance id sorts first gives the weight). It contains this comet's node name while
 * some comet of that name is registered, and always while this comet itself is registered ({@link
 * CometLeadership#isLeader()}), even if the discovery view misses it for a moment: after every
 * reconnect Curator writes a registration again by deleting and re-creating its znode, and a view
 * may catch the gap. Registrations with a weight a ring cannot take are skipped and logged.
 *
 * <p><b>Closing connections:</b>
 *
 * <ul>
 *   <li>On every ring change: each connection whose key the new ring places on another node (or
 *       anywhere, when the ring is empty) is closed; counted in {@code comet.migrate.closed}. This
 *       looks at placement only, not at leadership, so a ring update that arrives while the
 *       connection is suspended or being re-confirmed does not drop the keys that stay.
 *   <li>When this comet stops leading ({@link CometLeadership.Role#STANDBY}, {@link
 *       CometLeadership.Role#LOST}, {@link CometLeadership.Role#STOPPED}): every connection is
 *       closed, so clients reconnect to the new leader; counted in {@code comet.leadership.closed}.
 *       A {@link CometLeadership.Role#SUSPENDED} comet keeps its connections (the session may
 *       survive) but owns nothing until it is active again.
 * </ul>
 *
 * <p><b>Threading:</b> {@link #owns} and {@link #ownerOf} are lock-free reads of an immutable ring,
 * safe from any thread (event loops, the push pipeline). Ring changes run on {@link LiveNodes}'
 * event thread and role changes on {@link CometLeadership}'s; both only close channels, which never
 * blocks.
 *
 * <p><b>Ownership:</b> borrows the leadership, the live view of service {@value
 * ZkPaths#SERVICE_COMET} and the connection registry; start it after them and stop it before.
 */
public final class RingOwnership implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(RingOwnership.class);

    private final CometLeadership leadership;
    private final LiveNodes comets;
    private final KeyChannels channels;
    private final Counter migrateClosed;
    private final Counter leadershipClosed;
    private final Runnable ringListener = this::refresh;
    private final Consumer<CometLeadership.Role> roleListener = this::onRole;
    private volatile HashRing ring = HashRing.empty();
    private boolean running; // guarded by this

    /**
     * @param comets the live view of service {@value ZkPaths#SERVICE_COMET}
     * @param metrics where counters {@code comet.migrate.closed} and {@code
     *     comet.leadership.closed} live
     * @throws IllegalArgumentException if {@code comets} follows another service
     */
    public RingOwnership(
            CometLeadership leadership,
            LiveNodes comets,
            KeyChannels channels,
            MetricRegistry metrics) {
        this.leadership = Objects.requireNonNull(leadership, "leadership");
        this.comets = Objects.requireNonNull(comets, "comets");
        this.channels = Objects.requireNonNull(channels, "channels");
        if (!ZkPaths.SERVICE_COMET.equals(comets.serviceName())) {
            throw new IllegalArgumentException(
                    "ring ownership follows service '"
                            + ZkPaths.SERVICE_COMET
                            + "', not '"
                            + comets.serviceName()
                            + "'");
        }
        this.migrateClosed = metrics.counter("comet.migrate.closed");
        this.leadershipClosed = metrics.counter("comet.leadership.closed");
    }

    /**
     * Whether this comet serves {@code key} now: the ring places it on this comet's node name and
     * this comet is its node name's active leader. False for every key on a standby, while
     * suspended, with an empty ring, and before start or after stop.
     */
    public boolean owns(String key) {
        return leadership.isActive() && isPlacedHere(ring, key);
    }

    /**
     * The node name the ring places {@code key} on (whether or not its comet is reachable); empty
     * only when no comet is registered.
     */
    public Optional<String> ownerOf(String key) {
        return ring.nodeFor(key);
    }

    /** The ring as this comet sees it now. */
    public HashRing ring() {
        return ring;
    }

    @Override
    public synchronized void start() {
        running = true;
        leadership.addListener(roleListener);
        comets.addListener(ringListener);
        refresh();
    }

    @Override
    public void stop() {
        comets.removeListener(ringListener);
        leadership.removeListener(roleListener);
        synchronized (this) {
            running = false;
            ring = HashRing.empty();
        }
    }

    /** Rebuilds the ring from the live registrations; on a change, closes the keys that left. */
    private synchronized void refresh() {
        if (!running) {
            return;
        }
        Map<String, Integer> weights = RingWeights.of(comets.instances());
        if (leadership.isLeader()) {
            // Registered by this comet: on the ring whatever the view says this instant (see the
            // class comment), or a reconnect would close every connection of this comet.
            weights.put(leadership.nodeName(), leadership.details().getWeight());
        }
        HashRing next = HashRing.of(weights);
        HashRing previous = ring;
        if (next.equals(previous)) {
            return;
        }
        ring = next;
        int closed = channels.closeWhere(key -> !isPlacedHere(next, key));
        migrateClosed.inc(closed);
        LOG.info(
                "Comet ring {} -> {}: closed {} connections of keys now placed on another node",
                previous.weights(),
                next.weights(),
                closed);
    }

    private void onRole(CometLeadership.Role role) {
        closeAllUnlessLeading(role);
        refresh(); // this comet's own node name joins or leaves the ring with its registration
    }

    private void closeAllUnlessLeading(CometLeadership.Role role) {
        switch (role) {
            case STANDBY, LOST, STOPPED -> {
                int closed = channels.closeWhere(key -> true);
                leadershipClosed.inc(closed);
                if (closed > 0) {
                    LOG.info(
                            "Comet {} is {}: closed all {} connections; their clients reconnect"
                                    + " to the new leader",
                            leadership.nodeName(),
                            role,
                            closed);
                }
            }
            case LEADER, SUSPENDED -> {
                // LEADER: nothing to close (a standby holds no connections); SUSPENDED: keep them,
                // the session may survive. owns() answers from isActive() either way.
            }
        }
    }

    private boolean isPlacedHere(HashRing r, String key) {
        return r.nodeFor(key).map(leadership.nodeName()::equals).orElse(false);
    }
}
