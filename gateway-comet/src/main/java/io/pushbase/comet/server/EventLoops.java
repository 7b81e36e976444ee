package io.pushbase.comet.server;

import io.dropwizard.lifecycle.Managed;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the comet's Netty event loops: one boss thread that accepts connections for every listener,
 * and one worker group that runs every client connection of every listener (TCP and WebSocket), all
 * on one {@link Transport}. Sharing one worker group keeps the thread count at about twice the
 * cores whatever the number of listeners, and a connection costs no thread of its own: it is a
 * channel registered on one worker loop.
 *
 * <p><b>Lifecycle:</b> the groups are created by {@link #start()} and shut down by {@link #stop()},
 * which lets tasks already queued run during a short quiet period, then waits for the threads to
 * end (bounded by the shutdown timeout). The {@link ClientServer}s that borrow the groups must be
 * started after and stopped before this object: in Dropwizard, manage it first (Dropwizard stops in
 * reverse order). Not restartable.
 *
 * <p><b>Threading:</b> {@link #start()} and {@link #stop()} are called by one lifecycle thread; the
 * accessors may be called from any thread once started.
 */
public final class EventLoops implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(EventLoops.class);

    /** Long enough for writes queued by a closing listener to run, short enough for restarts. */
    public static final Duration DEFAULT_QUIET_PERIOD = Duration.ofMillis(100);

    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);

    private final Transport transport;
    private final int workerThreads;
    private final Duration quietPeriod;
    private final Duration shutdownTimeout;
    private volatile EventLoopGroup boss;
    private volatile EventLoopGroup workers;
    private volatile boolean stopped;

    /**
     * @param transport the transport every loop runs on (see {@link Transport#preferred()})
     * @param workerThreads threads of the worker group; 0 for Netty's default (twice the cores, or
     *     the system property {@code io.netty.eventLoopThreads})
     */
    public EventLoops(Transport transport, int workerThreads) {
        this(transport, workerThreads, DEFAULT_QUIET_PERIOD, DEFAULT_SHUTDOWN_TIMEOUT);
    }

    /**
     * @param quietPeriod on stop, how long no new task may arrive before a loop ends
     * @param shutdownTimeout on stop, the longest a loop waits for its quiet period
     */
    public EventLoops(
            Transport transport,
            int workerThreads,
            Duration quietPeriod,
            Duration shutdownTimeout) {
        if (workerThreads < 0) {
            throw new IllegalArgumentException("workerThreads must not be negative");
        }
        if (quietPeriod.isNegative() || shutdownTimeout.compareTo(quietPeriod) < 0) {
            throw new IllegalArgumentException(
                    "need 0 <= quietPeriod <= shutdownTimeout: "
                            + quietPeriod
                            + ", "
                            + shutdownTimeout);
        }
        this.transport = Objects.requireNonNull(transport, "transport");
        this.workerThreads = workerThreads;
        this.quietPeriod = quietPeriod;
        this.shutdownTimeout = shutdownTimeout;
    }

    @Override
    public void start() {
        if (boss != null || stopped) {
            throw new IllegalStateException("event loops can be started once");
        }
        // Accepting is cheap: one thread serves every listener's accept loop.
        boss =
                new MultiThreadIoEventLoopGroup(
                        1, new DefaultThreadFactory("comet-boss"), transport.newIoHandlerFactory());
        MultiThreadIoEventLoopGroup workerGroup;
        try {
            workerGroup =
                    new MultiThreadIoEventLoopGroup(
                            workerThreads,
                            new DefaultThreadFactory("comet-worker"),
                            transport.newIoHandlerFactory());
        } catch (RuntimeException | Error e) {
            // Stop would not run for a start that failed: do not leave the boss thread behind.
            boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            stopped = true;
            throw e;
        }
        workers = workerGroup;
        Throwable noEpoll = Transport.EPOLL.unavailabilityCause();
        if (transport == Transport.EPOLL) {
            LOG.info("Event loops on native epoll, {} worker threads", workerGroup.executorCount());
        } else if (noEpoll != null) {
            LOG.info(
                    "Event loops on NIO, {} worker threads: native epoll is unavailable ({})",
                    workerGroup.executorCount(),
                    noEpoll.toString());
        } else {
            LOG.info(
                    "Event loops on NIO, {} worker threads (native epoll available, not chosen)",
                    workerGroup.executorCount());
        }
    }

    /** The transport of every loop, and so of every listener on them. */
    public Transport transport() {
        return transport;
    }

    /** The group that accepts connections; only between start and stop. */
    public EventLoopGroup boss() {
        return started(boss);
    }

    /** The group that runs client connections; only between start and stop. */
    public EventLoopGroup workers() {
        return started(workers);
    }

    private EventLoopGroup started(EventLoopGroup group) {
        if (group == null || stopped) {
            throw new IllegalStateException("event loops are not running");
        }
        return group;
    }

    /**
     * Shuts both groups down gracefully; any connection still registered is closed by its loop.
     * Returns once the threads ended or the shutdown timeout (plus a margin) passed.
     */
    @Override
    public void stop() throws InterruptedException {
        if (stopped || boss == null) {
            stopped = true;
            return;
        }
        stopped = true;
        long quiet = quietPeriod.toMillis();
        long timeout = shutdownTimeout.toMillis();
        Future<?> bossDone = boss.shutdownGracefully(quiet, timeout, TimeUnit.MILLISECONDS);
        Future<?> workersDone = workers.shutdownGracefully(quiet, timeout, TimeUnit.MILLISECONDS);
        long waitMillis = timeout + 1000;
        if (!bossDone.await(waitMillis) | !workersDone.await(waitMillis)) {
            LOG.warn("Event loops did not end within {} ms", waitMillis);
        }
    }
}
