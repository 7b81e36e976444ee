package io.pushbase.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The server under test of the standalone benchmark: {@code bin/pushbase standalone --data DIR
 * --port-offset N} of a built distribution, started as a child process exactly as a user starts it
 * (its script, JVM flags, separate HBase process and logging), ready once it printed its banner's
 * last line {@value #BANNER_END} — or a standalone already running ({@link #external}). Its ports
 * are standalone's defaults plus the offset (PROTOCOL.md's ports).
 *
 * <p>Ownership: a started server belongs to this object. {@link #close()} stops it by its handle
 * only — SIGTERM to the launcher (whose shutdown hook stops web, comet, message and HBase in that
 * order), then SIGKILL to the launcher if it has not exited within {@value #STOP_GRACE_SECONDS} s,
 * then SIGKILL to any recorded descendant still running after its own stop path (a role exits when
 * the launcher's pipe closes) — never a kill by name. A shutdown hook does the same if the
 * benchmark ends early. An external server is never stopped. Thread-safe: {@link #close()} may race
 * with the hook.
 */
final class StandaloneServer implements AutoCloseable {
    static final String BANNER_END = "Ctrl-C stops everything.";

    private static final long STOP_GRACE_SECONDS = 90;
    private static final Duration DESCENDANT_GRACE = Duration.ofSeconds(30);

    /** Settings the benchmark leaves out of the child's environment: it measures the defaults. */
    private static final List<String> NOT_INHERITED =
            List.of("PUSHBASE_AUTH", "PUSHBASE_AUTH_SECRET", "PUSHBASE_ADMIN_SECRET");

    private final int portOffset;
    private final Process process;
    private final CountDownLatch ready = new CountDownLatch(1);
    private volatile ServerProcesses processes = ServerProcesses.none();
    private Thread copy;
    private final long startNanos = System.nanoTime();
    private volatile long readyNanos = startNanos;

    private StandaloneServer(int portOffset, Process process) {
        this.portOffset = portOffset;
        this.process = process;
    }

    /**
     * Starts {@code <dist>/bin/pushbase standalone} and waits for its banner; its output is echoed
     * to stderr (prefixed) and appended to {@code log}.
     *
     * @throws IOException when it exits or prints no banner within {@code timeout} (it is stopped
     *     then)
     */
    static StandaloneServer start(Path dist, Path data, int portOffset, Path log, Duration timeout)
            throws IOException, InterruptedException {
        Path launcher = dist.resolve("bin").resolve("pushbase");
        if (!Files.isExecutable(launcher)) {
            throw new IOException(
                    "no distribution at " + dist + " (" + launcher + " missing): build it first");
        }
        ProcessBuilder builder =
                new ProcessBuilder(
                                launcher.toString(),
                                "standalone",
                                "--data",
                                data.toString(),
                                "--port-offset",
                                Integer.toString(portOffset))
                        .redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        NOT_INHERITED.forEach(env::remove);
        Files.createDirectories(log.getParent());
        StandaloneServer server = new StandaloneServer(portOffset, builder.start());
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "stop-standalone"));
        server.copyOutput(log);
        try {
            server.awaitBanner(timeout);
        } catch (IOException | InterruptedException | RuntimeException e) {
            server.close();
            throw e;
        }
        server.processes = ServerProcesses.of(server.process.pid());
        return server;
    }

    /**
     * A standalone already running at {@code portOffset}; {@code launcherPid} (0: unknown) names
     * the processes whose CPU and GC are measured.
     */
    static StandaloneServer external(int portOffset, long launcherPid) {
        StandaloneServer server = new StandaloneServer(portOffset, null);
        if (launcherPid > 0) {
            server.processes = ServerProcesses.of(launcherPid);
        }
        return server;
    }

    /** Whether this object started the server (and stops it). */
    boolean started() {
        return process != null;
    }

    /**
     * When the banner's last line arrived, on {@link System#nanoTime()} (an external server: when
     * this object was made).
     */
    long readyNanos() {
        return readyNanos;
    }

    /** Seconds from starting the launcher to its banner (0 for an external server). */
    double startSeconds() {
        return (readyNanos - startNanos) / 1e9;
    }

    int portOffset() {
        return portOffset;
    }

    /** The web node's external API (pull, lookup). */
    InetSocketAddress webApi() {
        return loopback(8090);
    }

    /** The web node's admin API (push). */
    InetSocketAddress webAdmin() {
        return loopback(8091);
    }

    /** The comet's TCP subscriber port. */
    InetSocketAddress cometTcp() {
        return loopback(6969);
    }

    private InetSocketAddress loopback(int defaultPort) {
        return new InetSocketAddress("127.0.0.1", defaultPort + portOffset);
    }

    /** The server's processes (none known for an external server without a pid). */
    ServerProcesses processes() {
        return processes;
    }

    /** Reads the launcher's output on a daemon thread until it ends. */
    private void copyOutput(Path log) {
        copy =
                new Thread(
                        () -> {
                            try (BufferedReader in = process.inputReader(StandardCharsets.UTF_8);
                                    Writer file =
                                            Files.newBufferedWriter(
                                                    log,
                                                    StandardOpenOption.CREATE,
                                                    StandardOpenOption.APPEND)) {
                                in.lines().forEach(line -> outputLine(line, file));
                            } catch (IOException | UncheckedIOException e) {
                                // the launcher is gone
                            }
                        },
                        "standalone-output");
        copy.setDaemon(true);
        copy.start();
    }

    /** One line of the launcher's output: echoed to stderr, logged, watched for the banner. */
    private synchronized void outputLine(String line, Writer log) {
        System.err.println("standalone | " + line);
        try {
            log.write(line + "\n");
            log.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (line.equals(BANNER_END) && ready.getCount() > 0) {
            readyNanos = System.nanoTime();
            ready.countDown();
        }
    }

    private void awaitBanner(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready.await(200, TimeUnit.MILLISECONDS)) {
            if (!process.isAlive()) {
                throw new IOException(
                        "standalone exited with " + process.exitValue() + " before its banner");
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("standalone printed no banner within " + timeout);
            }
        }
    }

    /** Stops a started server (see the class comment); does nothing for an external one. */
    @Override
    public void close() {
        if (process == null) {
            return;
        }
        // Taken before the launcher goes: afterwards its children are re-parented and lost.
        List<ProcessHandle> descendants = process.descendants().toList();
        try {
            if (process.isAlive()) {
                // SIGTERM to the launcher's pid only. Through its ProcessHandle: Process.destroy()
                // would also close the pipe we read, and the launcher's stop report would be lost.
                process.toHandle().destroy();
                if (!process.waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS)) {
                    System.err.println(
                            "standalone did not stop within "
                                    + STOP_GRACE_SECONDS
                                    + " s of SIGTERM: killing it");
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            }
            long deadline = System.nanoTime() + DESCENDANT_GRACE.toNanos();
            for (ProcessHandle child : descendants) {
                long left = Math.max(0, deadline - System.nanoTime());
                try {
                    child.onExit().get(left, TimeUnit.NANOSECONDS);
                } catch (java.util.concurrent.TimeoutException
                        | java.util.concurrent.ExecutionException e) {
                    System.err.println("killing leftover server process " + child.pid());
                    child.destroyForcibly();
                }
            }
            copy.join(2_000); // the launcher's last lines (what it stopped) are in its log
        } catch (InterruptedException e) {
            process.destroyForcibly();
            descendants.forEach(ProcessHandle::destroyForcibly);
            Thread.currentThread().interrupt();
        }
    }
}
