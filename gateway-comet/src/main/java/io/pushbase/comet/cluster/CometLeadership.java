package io.pushbase.comet.cluster;

import io.dropwizard.lifecycle.Managed;
import io.pushbase.cluster.CuratorLifecycle;
import io.pushbase.cluster.NodeDetails;
import io.pushbase.cluster.NodeRegistration;
import io.pushbase.cluster.ring.HashRing;
import io.pushbase.schema.ZkPaths;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This comet's place among the comets that share its node name: a Curator {@link LeaderLatch} on
 * {@link ZkPaths#cometLeader(String)} elects one of them, which alone registers in discovery
 * (service {@value ZkPaths#SERVICE_COMET}, instance id {@code host:grpcPort}) and serves; the
 * others stand by and take over when the leader dies or loses its ZooKeeper session.
 *
 * <p><b>Why a latch, not a {@code LeaderSelector}:</b> leading is a state the comet holds while it
 * serves, asked on every push ({@link #isActive()}), not a task run on a thread the recipe lends.
 * The latch keeps its znode across a suspended connection and re-checks its place when the
 * connection comes back, which is exactly the "same session, still leader" case.
 *
 * <p><b>Roles and what they mean for the comet</b> (see {@link Role}): only {@link Role#LEADER}
 * serves. A standby is registered nowhere and serves nothing: its {@code RingOwnership} owns no
 * key, so its subscription gate answers {@code -n} and its pushes are rejected, although its client
 * ports stay open (a client that reaches it looks its node up again).
 *
 * <p><b>Connection states, explicitly:</b>
 *
 * <ul>
 *   <li>{@code SUSPENDED}: {@link #isActive()} turns false at once (on Curator's thread, before
 *       anything else runs) and the role becomes {@link Role#SUSPENDED}. The latch znode and the
 *       registration are kept: the session may survive.
 *   <li>{@code RECONNECTED} with the same session: the registration is still there (an ephemeral
 *       znode of the session). The leader becomes active again once its latch confirms that its
 *       znode is still first ({@link LeaderLatch#hasLeadership()}, re-checked by the latch within a
 *       round trip); until then it stays {@link Role#SUSPENDED}, and if no confirmation comes
 *       within {@value #CONFIRM_TIMEOUT_MILLIS} ms it deregisters and stands by. A standby returns
 *       to {@link Role#STANDBY}.
 *   <li>{@code LOST} (the session expired, or Curator gave up on it after the session timeout):
 *       role {@link Role#LOST}, leadership counts as gone. The comet deregisters and leaves the
 *       election (closing the latch deletes its znode should the server still hold it, so a latch
 *       can never mistake an old session's znode for its own), and joins again with a new latch
 *       once connected: it ends up {@link Role#LEADER} or {@link Role#STANDBY} like any newcomer.
 * </ul>
 *
 * <p><b>Threading:</b> Curator delivers connection states on its state thread and latch events on
 * its event or state thread, in no guaranteed order between the two; both callbacks only record
 * what happened (volatile and atomic fields) and hand the work to this object's single {@code
 * comet-leadership} thread, which alone touches the latch and the registration and decides from the
 * current facts, not from the order events arrived in. {@link #isActive()}, {@link #role()} and
 * {@link #isLeader()} are lock-free reads from any thread. Role listeners run on the {@code
 * comet-leadership} thread, in order, once per change; they must be quick and must not block (a
 * listener that throws is logged and skipped).
 *
 * <p><b>Ownership:</b> borrows the Curator client (owned by {@link CuratorLifecycle}): start this
 * after it and stop this before it. Owns the latch, the registration and its thread.
 *
 * <p><b>Failure:</b> registering and deregistering are ZooKeeper writes on the leadership thread;
 * while the connection is down they wait for it (bounded by the client's retry policy), which
 * delays role reports but never serving: {@link #isActive()} does not depend on that thread. A
 * leader that cannot register gives up its place in the election and tries again after {@value
 * #REJOIN_DELAY_MILLIS} ms, so a standby can serve meanwhile.
 */
public final class CometLeadership implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(CometLeadership.class);

    /** Pause before rejoining the election after a failed registration or a failed join. */
    static final long REJOIN_DELAY_MILLIS = 1_000;

    /**
     * How long a registered leader whose connection came back waits for the latch to confirm it
     * before it deregisters and stands by.
     */
    static final long CONFIRM_TIMEOUT_MILLIS = 5_000;

    /** How long {@link #stop()} waits for the leadership thread to deregister. */
    private static final long STOP_TIMEOUT_MILLIS = 10_000;

    /** This comet's part in its node name's leader election. */
    public enum Role {
        /** Not started, or stopped: serves nothing, takes no part in the election. */
        STOPPED,
        /** Connected and in the election behind the leader of its node name; serves nothing. */
        STANDBY,
        /** Elected, registered and connected: serves its node name's keys. */
        LEADER,
        /**
         * The ZooKeeper connection is suspended, or back but the election has not yet confirmed
         * this comet: serves nothing, keeps its latch znode and (if it led) its registration.
         */
        SUSPENDED,
        /**
         * The ZooKeeper session is gone, and with it leadership and registration; rejoins the
         * election once connected.
         */
        LOST
    }

    private record Status(Role role, long connectionEpoch) {}

    private final CuratorFramework client;
    private final ZkPaths paths;
    private final String host;
    private final int port;
    private final NodeDetails details;
    private final String participantId;
    private final String latchPath;
    private final List<Consumer<Role>> listeners = new CopyOnWriteArrayList<>();
    private final ConnectionStateListener connectionListener = (c, state) -> onConnection(state);
    private final LeaderLatchListener latchListener =
            new LeaderLatchListener() {
                @Override
                public void isLeader() {
                    submit(CometLeadership.this::reconcile);
                }

                @Override
                public void notLeader() {
                    submit(CometLeadership.this::reconcile);
                }
            };
    private final ScheduledExecutorService events;
    private final AtomicBoolean started = new AtomicBoolean();

    // Written by Curator's state thread (the first value by start(), unless an event came first).
    private final AtomicReference<ConnectionState> connection = new AtomicReference<>();
    // Bumped on every connection state change; a LEADER status is valid only for the epoch its
    // decision was taken in, so isActive() turns false the moment the connection changes.
    private final AtomicLong connectionEpoch = new AtomicLong();
    private final AtomicLong sessionLosses = new AtomicLong();

    private volatile boolean running;
    private volatile Status status = new Status(Role.STOPPED, -1);
    private volatile boolean registered;

    // Confined to the events thread (and to stop() once that thread has ended).
    private LeaderLatch latch;
    private NodeRegistration registration;
    private long lossesHandled;
    private long rejoinNotBefore;
    private long unconfirmedEpoch = -1;
    private long unconfirmedDeadline;

    /**
     * @param client the node's Curator client, started and connected (see {@link CuratorLifecycle})
     * @param host advertised host of the comet's gRPC server
     * @param grpcPort its gRPC port; {@code host:grpcPort} is the discovery instance id and the
     *     election participant id, so it must be unique per process
     * @param details node name, weight (1..{@value HashRing#MAX_WEIGHT}) and addresses by protocol
     *     ({@code tcp}, {@code ws}, {@code grpc}, {@code admin})
     */
    public CometLeadership(
            CuratorFramework client,
            ZkPaths paths,
            String host,
            int grpcPort,
            NodeDetails details) {
        this.client = Objects.requireNonNull(client, "client");
        this.paths = Objects.requireNonNull(paths, "paths");
        this.host = Objects.requireNonNull(host, "host");
        this.details = Objects.requireNonNull(details, "details");
        if (grpcPort < 1 || grpcPort > 65_535) {
            throw new IllegalArgumentException("grpcPort must be 1..65535: " + grpcPort);
        }
        if (details.getNodeName().isEmpty() || details.getNodeName().contains("/")) {
            throw new IllegalArgumentException(
                    "node name must be non-empty and contain no '/': " + details.getNodeName());
        }
        if (details.getWeight() < 1 || details.getWeight() > HashRing.MAX_WEIGHT) {
            // Peers would drop a registration their ring cannot take.
            throw new IllegalArgumentException(
                    "weight must be 1.." + HashRing.MAX_WEIGHT + ": " + details.getWeight());
        }
        this.port = grpcPort;
        this.participantId = host + ":" + grpcPort;
        this.latchPath = paths.cometLeader(details.getNodeName());
        String nodeName = details.getNodeName();
        ScheduledThreadPoolExecutor executor =
                new ScheduledThreadPoolExecutor(
                        1,
                        r -> {
                            Thread t = new Thread(r, "comet-leadership-" + nodeName);
                            t.setDaemon(true);
                            return t;
                        });
        executor.setRemoveOnCancelPolicy(true);
        this.events = executor;
    }

    /** The node name this comet serves when it leads. */
    public String nodeName() {
        return details.getNodeName();
    }

    /** The discovery instance id and election participant id: {@code host:grpcPort}. */
    public String instanceId() {
        return participantId;
    }

    /** What this comet publishes when it leads. */
    public NodeDetails details() {
        return details;
    }

    /**
     * Whether this comet may serve now: it leads its node name, is registered, and the ZooKeeper
     * connection has not changed since that was confirmed. Turns false the moment Curator reports
     * {@code SUSPENDED} or {@code LOST}. Lock-free; ask it on every push and subscription.
     */
    public boolean isActive() {
        Status s = status;
        return s.role() == Role.LEADER
                && s.connectionEpoch() == connectionEpoch.get()
                // Also false once the client is closed, which Curator reports to no listener.
                && client.getZookeeperClient().isConnected();
    }

    /**
     * Whether this comet holds its node name's leadership as far as it knows: from its registration
     * until it deregisters. Unlike {@link #isActive()} it stays true while the connection is merely
     * suspended, since the session, and with it the leadership, may survive.
     */
    public boolean isLeader() {
        return registered;
    }

    /**
     * The current role, for the cluster view. {@link Role#LEADER} exactly when {@link #isActive()}:
     * a leader whose connection just changed reads as {@link Role#SUSPENDED} until its leadership
     * is confirmed again.
     */
    public Role role() {
        Status s = status;
        return s.role() == Role.LEADER && !isActive() ? Role.SUSPENDED : s.role();
    }

    /**
     * Runs {@code listener} with the new role after every change (not for the role current when it
     * is added). See the class comment for the thread it runs on.
     */
    public void addListener(Consumer<Role> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeListener(Consumer<Role> listener) {
        listeners.remove(listener);
    }

    /**
     * Joins the election. Returns at once; the role becomes {@link Role#STANDBY}, then {@link
     * Role#LEADER} once elected and registered.
     *
     * @throws IllegalStateException if started before
     */
    @Override
    public void start() {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("CometLeadership can be started only once");
        }
        running = true;
        client.getConnectionStateListenable().addListener(connectionListener);
        connection.compareAndSet(
                null,
                client.getZookeeperClient().isConnected()
                        ? ConnectionState.CONNECTED
                        : ConnectionState.SUSPENDED);
        LOG.info("Comet {} ({}) joins the election at {}", nodeName(), participantId, latchPath);
        submit(this::reconcile);
    }

    /**
     * Stops serving at once, deregisters, then leaves the election so a standby takes over. Waits
     * at most {@value #STOP_TIMEOUT_MILLIS} ms for the deregistration (longer only if ZooKeeper is
     * unreachable; the ephemeral registration then vanishes with the session).
     */
    @Override
    public void stop() throws InterruptedException {
        if (!started.get() || !running) {
            return;
        }
        running = false;
        client.getConnectionStateListenable().removeListener(connectionListener);
        Future<?> done =
                events.submit(
                        () -> {
                            setRole(Role.STOPPED, connectionEpoch.get());
                            dropRegistration();
                            leaveElection();
                        });
        try {
            done.get(STOP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn(
                    "Comet {} could not deregister within {} ms; its registration ends with its"
                            + " session",
                    nodeName(),
                    STOP_TIMEOUT_MILLIS);
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.warn("Comet {} stopped with an error", nodeName(), e.getCause());
        } finally {
            events.shutdownNow();
            if (events.awaitTermination(STOP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)) {
                // The thread has ended: its fields are ours now. Release what it could not.
                leaveElection();
            }
            status = new Status(Role.STOPPED, -1);
            registered = false;
        }
    }

    /** On Curator's connection-state thread: record, then hand the work over. */
    private void onConnection(ConnectionState state) {
        if (state == ConnectionState.LOST) {
            sessionLosses.incrementAndGet();
        }
        connection.set(state);
        connectionEpoch.incrementAndGet(); // from here on isActive() is false until reconciled
        if (state == ConnectionState.SUSPENDED || state == ConnectionState.LOST) {
            LOG.warn(
                    "Comet {} ({}): ZooKeeper connection {}; not serving",
                    nodeName(),
                    participantId,
                    state);
        } else {
            LOG.info("Comet {} ({}): ZooKeeper connection {}", nodeName(), participantId, state);
        }
        submit(this::reconcile);
    }

    private void submit(Runnable task) {
        try {
            events.execute(task);
        } catch (RejectedExecutionException e) {
            // stopped: nothing left to do
        }
    }

    private void reconcileAfter(long millis) {
        try {
            events.schedule(this::reconcile, millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // stopped: nothing left to do
        }
    }

    /**
     * Brings role, election and registration in line with the facts: the connection now, the
     * session losses seen, the latch. Runs on the events thread only; every Curator event and latch
     * event triggers it, and it is idempotent, so events may coalesce.
     */
    private void reconcile() {
        if (!running) {
            return;
        }
        long epoch = connectionEpoch.get();
        ConnectionState state = connection.get();
        long losses = sessionLosses.get();
        if (losses != lossesHandled) {
            lossesHandled = losses;
            registered = false; // the znode went with the session, or goes below
            setRole(Role.LOST, epoch);
            leaveElection();
            dropRegistration(); // may wait for the connection
            epoch = connectionEpoch.get();
            state = connection.get();
        }
        if (!isConnected(state)) {
            if (status.role() != Role.LOST) {
                setRole(Role.SUSPENDED, epoch);
            }
            return;
        }
        if (latch == null) {
            long wait = rejoinNotBefore - System.currentTimeMillis();
            if (wait > 0) {
                setRole(Role.STANDBY, epoch);
                reconcileAfter(wait);
                return;
            }
            if (!joinElection()) {
                setRole(Role.STANDBY, epoch);
                return;
            }
        }
        if (latch.hasLeadership()) {
            if (registration == null && !register()) {
                giveUpLeadership(epoch);
                return;
            }
            setRole(Role.LEADER, epoch);
        } else if (registration != null) {
            // Registered, yet the latch does not say leader while connected: after a suspension
            // it re-checks its znode in the background and, still first, reports isLeader()
            // within a round trip. Wait for that without serving (no blocking read here: this
            // thread must stay free for the next connection state), bounded.
            if (unconfirmedEpoch != epoch) {
                unconfirmedEpoch = epoch;
                unconfirmedDeadline = System.currentTimeMillis() + CONFIRM_TIMEOUT_MILLIS;
                reconcileAfter(CONFIRM_TIMEOUT_MILLIS);
            }
            if (System.currentTimeMillis() < unconfirmedDeadline) {
                setRole(Role.SUSPENDED, epoch);
            } else {
                LOG.warn(
                        "Comet {} ({}) not confirmed as leader within {} ms of reconnecting;"
                                + " standing by",
                        nodeName(),
                        participantId,
                        CONFIRM_TIMEOUT_MILLIS);
                dropRegistration();
                setRole(Role.STANDBY, epoch);
            }
        } else {
            setRole(Role.STANDBY, epoch);
        }
    }

    private static boolean isConnected(ConnectionState state) {
        // READ_ONLY is "connected" to Curator, but a read-only server cannot hold an election.
        return state == ConnectionState.CONNECTED || state == ConnectionState.RECONNECTED;
    }

    private void setRole(Role next, long epoch) {
        Role previous = status.role();
        status = new Status(next, epoch);
        if (previous == next) {
            return;
        }
        LOG.info("Comet {} ({}) is now {} (was {})", nodeName(), participantId, next, previous);
        for (Consumer<Role> listener : listeners) {
            try {
                listener.accept(next);
            } catch (RuntimeException e) {
                LOG.error("Role listener of comet {} failed", nodeName(), e);
            }
        }
    }

    private boolean joinElection() {
        LeaderLatch fresh =
                new LeaderLatch(client, latchPath, participantId, LeaderLatch.CloseMode.SILENT);
        fresh.addListener(latchListener);
        try {
            fresh.start(); // returns at once; the znode is written once connected
            latch = fresh;
            return true;
        } catch (Exception e) {
            LOG.error("Comet {} could not join the election at {}", nodeName(), latchPath, e);
            rejoinNotBefore = System.currentTimeMillis() + REJOIN_DELAY_MILLIS;
            reconcileAfter(REJOIN_DELAY_MILLIS);
            return false;
        }
    }

    private void leaveElection() {
        LeaderLatch current = latch;
        latch = null;
        if (current == null || current.getState() != LeaderLatch.State.STARTED) {
            return;
        }
        try {
            // Deletes the latch znode (guaranteed, in the background) and forgets the listener.
            current.close();
        } catch (Exception e) {
            LOG.warn("Comet {} could not leave the election cleanly: {}", nodeName(), e.toString());
        }
    }

    private boolean register() {
        NodeRegistration fresh =
                new NodeRegistration(
                        client, paths.discovery(), ZkPaths.SERVICE_COMET, host, port, details);
        try {
            fresh.start();
            registration = fresh;
            registered = true;
            return true;
        } catch (Exception e) {
            interruptedAgain(e);
            LOG.error("Comet {} leads but could not register", nodeName(), e);
            stopQuietly(fresh);
            return false;
        }
    }

    /** A leader that cannot register must not hold the latch: a standby may be able to serve. */
    private void giveUpLeadership(long epoch) {
        leaveElection();
        rejoinNotBefore = System.currentTimeMillis() + REJOIN_DELAY_MILLIS;
        setRole(Role.STANDBY, epoch);
        reconcileAfter(REJOIN_DELAY_MILLIS);
    }

    private void dropRegistration() {
        NodeRegistration current = registration;
        registration = null;
        registered = false;
        if (current != null) {
            stopQuietly(current);
        }
    }

    private void stopQuietly(NodeRegistration r) {
        try {
            // Forgets the instance first (so Curator never writes it again after a reconnect),
            // then deletes the znode.
            r.stop();
        } catch (Exception e) {
            interruptedAgain(e);
            LOG.warn(
                    "Comet {} could not delete its registration ({}); it vanishes with the session",
                    nodeName(),
                    e.toString());
        }
    }

    private static void interruptedAgain(Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
    }
}
