package io.pushbase.localhbase;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Runs a {@link LocalHBase} as its own process, the child JVM of {@code pushbase standalone}:
 * parses the command line ({@link LocalHBaseOptions#parser()}; {@code --help} prints it), starts
 * ZooKeeper and HBase, prints exactly one line {@code READY host:port} (the ZooKeeper quorum) on
 * standard output once a real client call succeeds, and runs until asked to stop.
 *
 * <p>Protocol: standard output carries only the READY line ({@code System.out} is redirected to
 * standard error, where all logging goes, at WARN except this module's few lifecycle lines). The
 * process stops when its standard input reaches end of file (the parent closed it or died), on
 * SIGTERM or SIGINT, or on any other JVM shutdown; it then shuts HBase down cleanly (regions
 * flushed and closed), then ZooKeeper, and exits.
 *
 * <p>Exit codes: {@value #EXIT_OK} stopped cleanly; {@value #EXIT_START_FAILED} did not start
 * (ZooKeeper port in use, data directory locked by another process, HBase not serving within {@link
 * #READY_TIMEOUT}); {@value #EXIT_USAGE} bad command line; {@value #EXIT_UNCLEAN} HBase stopped on
 * its own while serving, or stopping failed or took longer than {@link #STOP_TIMEOUT} (the data
 * then relies on WAL replay at the next start).
 *
 * <p>Threading: the main thread starts, waits and stops. A daemon thread reads standard input;
 * signal handlers and the shutdown hook only request the stop, and the hook then waits for the main
 * thread to finish it, so a stop is never run twice nor cut short by the JVM exiting.
 */
public final class LocalHBaseMain {
    public static final int EXIT_OK = 0;
    public static final int EXIT_START_FAILED = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_UNCLEAN = 3;

    static final Duration READY_TIMEOUT = Duration.ofSeconds(120);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(90);

    private static final Logger LOG = LoggerFactory.getLogger(LocalHBaseMain.class);

    private final LocalHBaseOptions options;
    private final PrintStream protocol;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final AtomicReference<String> stopReason = new AtomicReference<>();
    private final CountDownLatch finished = new CountDownLatch(1);

    private LocalHBaseMain(LocalHBaseOptions options, PrintStream protocol) {
        this.options = options;
        this.protocol = protocol;
    }

    public static void main(String[] args) {
        // Standard output is the protocol channel: keep stray prints (HBase's thread dumps) off it.
        PrintStream protocol = System.out;
        System.setOut(System.err);
        LocalHBaseOptions options;
        try {
            options = LocalHBaseOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("local-hbase: " + e.getMessage());
            LocalHBaseOptions.parser().printUsage(new PrintWriter(System.err, true));
            System.exit(EXIT_USAGE);
            return;
        }
        if (options == null) {
            System.exit(0); // --help: printed on stderr (System.out is stderr by now)
            return;
        }
        LocalHBaseMain main = new LocalHBaseMain(options, protocol);
        int code;
        try {
            code = main.run();
        } finally {
            // Lets a waiting shutdown hook return (System.exit would block behind it otherwise).
            main.finished.countDown();
        }
        System.exit(code);
    }

    private int run() {
        installStopTriggers();
        long begin = System.nanoTime();
        LocalHBase hbase;
        try {
            hbase = LocalHBase.start(options, READY_TIMEOUT, () -> stopRequested.getCount() == 0);
        } catch (InterruptedException e) {
            LOG.warn("Stopped while starting ({})", stopReason.get());
            return EXIT_START_FAILED;
        } catch (PortInUseException e) {
            System.err.println("local-hbase: " + e.getMessage());
            return EXIT_START_FAILED;
        } catch (IOException | RuntimeException e) {
            LOG.error("Local HBase did not start (data in {})", options.dataDir(), e);
            System.err.println("local-hbase: did not start: " + e);
            return EXIT_START_FAILED;
        }
        LOG.info(
                "HBase serves in {} ms; ZooKeeper {}, data in {}",
                Duration.ofNanos(System.nanoTime() - begin).toMillis(),
                hbase.zookeeperQuorum(),
                options.dataDir());
        protocol.println("READY " + hbase.zookeeperQuorum());
        protocol.flush();

        boolean diedOnItsOwn = !awaitStop(hbase);
        if (diedOnItsOwn) {
            LOG.error("HBase stopped on its own; shutting down the rest");
        } else {
            LOG.info("Stopping ({})", stopReason.get());
        }
        startStopWatchdog();
        try {
            hbase.close();
        } catch (IOException | RuntimeException e) {
            LOG.error("Stopping did not complete cleanly", e);
            return EXIT_UNCLEAN;
        }
        LOG.info("Stopped");
        return diedOnItsOwn ? EXIT_UNCLEAN : EXIT_OK;
    }

    /** Waits for a stop request; false if HBase stopped serving first. */
    private boolean awaitStop(LocalHBase hbase) {
        try {
            while (!stopRequested.await(1, TimeUnit.SECONDS)) {
                if (!hbase.isServing()) {
                    return false;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            requestStop("main thread interrupted");
        }
        return true;
    }

    private void requestStop(String reason) {
        stopReason.compareAndSet(null, reason);
        stopRequested.countDown();
    }

    private void installStopTriggers() {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), s -> requestStop("SIG" + name));
            } catch (IllegalArgumentException e) {
                // Ignored by the OS (e.g. SIGINT for a background job) or reserved by the JVM:
                // the shutdown hook below still covers it.
                LOG.debug("Cannot handle SIG{}", name, e);
            }
        }
        Thread hook =
                new Thread(
                        () -> {
                            requestStop("JVM shutdown");
                            try {
                                finished.await(STOP_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "local-hbase-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        if (!options.ignoreStdin()) {
            Thread stdin = new Thread(this::awaitStdinEnd, "local-hbase-stdin");
            stdin.setDaemon(true);
            stdin.start();
        }
    }

    private void awaitStdinEnd() {
        InputStream in = System.in;
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) != -1) {
                // Input is ignored; only its end matters.
            }
            requestStop("end of standard input");
        } catch (IOException e) {
            requestStop("standard input failed: " + e);
        }
    }

    /** Bounds the stop: a hung shutdown must not leave an orphan behind a launcher that left. */
    private void startStopWatchdog() {
        Thread watchdog =
                new Thread(
                        () -> {
                            try {
                                if (!finished.await(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                                    LOG.error(
                                            "Stopping took longer than {} s; halting",
                                            STOP_TIMEOUT.toSeconds());
                                    Runtime.getRuntime().halt(EXIT_UNCLEAN);
                                }
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "local-hbase-stop-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }
}
