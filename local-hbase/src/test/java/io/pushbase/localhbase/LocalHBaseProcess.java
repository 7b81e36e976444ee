package io.pushbase.localhbase;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@link LocalHBaseMain} in a child JVM, started the way a launcher starts it: {@code java
 * @jvm.options -cp <classes>:<runtime-classpath.txt> ...}, standard input a pipe, standard output
 * read for the READY line, standard error appended to a log file. The paths come from system
 * properties the failsafe configuration sets.
 *
 * <p>Owned by one test: {@link #close()} ends the process by its handle if it is still alive
 * (SIGTERM, then SIGKILL after a grace period) and waits for it.
 */
final class LocalHBaseProcess implements AutoCloseable {
    private final Process process;
    private final Path log;
    private final CompletableFuture<String> ready = new CompletableFuture<>();
    private final long startNanos = System.nanoTime();
    private volatile long readyNanos;
    private final List<String> laterStdout = new ArrayList<>();

    private LocalHBaseProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
        Thread drain = new Thread(this::drainStdout, "local-hbase-stdout-" + process.pid());
        drain.setDaemon(true);
        drain.start();
    }

    /** Starts the process; does not wait for READY. */
    static LocalHBaseProcess start(Path data, int zkPort, String logName) throws IOException {
        Path workDir = Path.of(System.getProperty("localhbase.workDir", "target/it"));
        Files.createDirectories(workDir);
        Path log = workDir.resolve(logName + ".log");
        String classpath =
                System.getProperty("localhbase.classes", "target/classes")
                        + File.pathSeparator
                        + Files.readString(
                                        Path.of(
                                                System.getProperty(
                                                        "localhbase.classpathFile",
                                                        "target/runtime-classpath.txt")))
                                .trim();
        List<String> command =
                List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "@" + System.getProperty("localhbase.jvmOptions", "jvm.options"),
                        "-cp",
                        classpath,
                        LocalHBaseMain.class.getName(),
                        "--data",
                        data.toString(),
                        "--zk-port",
                        Integer.toString(zkPort));
        Process process =
                new ProcessBuilder(command)
                        .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .start();
        return new LocalHBaseProcess(process, log);
    }

    private void drainStdout() {
        try (BufferedReader out =
                new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (!ready.isDone() && line.startsWith("READY ")) {
                    readyNanos = System.nanoTime();
                    ready.complete(line.substring("READY ".length()));
                } else {
                    synchronized (laterStdout) {
                        laterStdout.add(line);
                    }
                }
            }
        } catch (IOException e) {
            // the child is gone
        }
        ready.complete(null);
    }

    /**
     * Waits for the READY line.
     *
     * @return the announced ZooKeeper quorum
     * @throws IllegalStateException naming the log when the process exits or stays silent
     */
    String awaitReady(Duration timeout) throws InterruptedException {
        String quorum;
        try {
            quorum = ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "no READY within " + timeout.toSeconds() + " s; see " + log);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        if (quorum == null) {
            throw new IllegalStateException("exited without READY; see " + log);
        }
        return quorum;
    }

    /** Milliseconds from {@link #start} to the READY line. */
    long readyMillis() {
        return TimeUnit.NANOSECONDS.toMillis(readyNanos - startNanos);
    }

    /** Resident set size of the child, from /proc, in kB (-1 where /proc is missing). */
    long rssKb() throws IOException {
        Path status = Path.of("/proc", Long.toString(process.pid()), "status");
        if (!Files.exists(status)) {
            return -1;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /** The launcher's normal stop: close the child's standard input. */
    void closeStdin() throws IOException {
        process.getOutputStream().close();
    }

    /**
     * SIGTERM alone, as {@code kill PID}. ({@code Process.destroy()} would also close the child's
     * standard input, which stops it too, and hide whether the signal did.)
     */
    void terminate() {
        process.toHandle().destroy();
    }

    /** Waits for the exit; fails the test (after killing the child) when it does not come. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            throw new IllegalStateException(
                    "did not exit within " + timeout.toSeconds() + " s; see " + log);
        }
        return process.exitValue();
    }

    /** Whatever the child printed on standard output after (or instead of) READY. */
    List<String> otherStdout() {
        synchronized (laterStdout) {
            return List.copyOf(laterStdout);
        }
    }

    String logText() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
