package io.pushbase.e2e;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/pushbase standalone} from the built distribution, run as a user runs it, in a test:
 * its output collected, its start awaited, stopped by a signal to its own PID. Everything it spawns
 * is recorded while it runs, so a test can prove nothing outlives it; {@link #close()} kills what
 * is left by those handles (never by name).
 */
final class Standalone implements AutoCloseable {
    static final Path DIST = Path.of(System.getProperty("pushbase.dist", "../dist/target/x"));

    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private volatile List<ProcessHandle> descendants = List.of();

    private Standalone(Process process) {
        this.process = process;
        ProcessLines.follow(process, "standalone-output", output::add, () -> {});
    }

    /** Runs {@code bin/pushbase} with {@code args}, output (both streams) collected. */
    static Standalone run(String... args) throws IOException {
        return run(Map.of(), args);
    }

    /** As {@link #run(String...)}, with {@code env} added to this process's environment. */
    static Standalone run(Map<String, String> env, String... args) throws IOException {
        List<String> command =
                new java.util.ArrayList<>(List.of(DIST.resolve("bin/pushbase").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        return new Standalone(builder.start());
    }

    /** Waits for the whole ready banner (its last line); records the children. */
    Duration awaitReady(Duration timeout) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        while (output.stream().noneMatch(l -> l.equals("Ctrl-C stops everything."))) {
            if (!process.isAlive()) {
                throw new AssertionError("standalone exited during start:\n" + output());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "standalone not ready after " + timeout + ":\n" + output());
            }
            Thread.sleep(100);
        }
        descendants = process.descendants().toList();
        return Duration.ofNanos(System.nanoTime() - start);
    }

    List<ProcessHandle> descendants() {
        return descendants;
    }

    /**
     * The launcher's child JVMs now (after a restart, new ones); every one seen is also stopped by
     * {@link #close()}.
     */
    List<ProcessHandle> children() {
        List<ProcessHandle> now = process.children().toList();
        List<ProcessHandle> all = new ArrayList<>(descendants);
        for (ProcessHandle child : now) {
            if (!all.contains(child)) {
                all.add(child);
            }
        }
        descendants = all;
        return now;
    }

    long pid() {
        return process.pid();
    }

    String output() {
        return String.join("\n", output);
    }

    /** Sends {@code signal} (e.g. INT, TERM) to the launcher's own PID and waits for its exit. */
    int signalAndWait(String signal, Duration timeout) throws Exception {
        Signals.send(process.pid(), signal);
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("standalone still running " + timeout + " after SIG" + signal);
        }
        return process.exitValue();
    }

    int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("still running after " + timeout + ":\n" + output());
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            process.waitFor(60, TimeUnit.SECONDS);
            process.destroyForcibly();
        }
        for (ProcessHandle child : descendants) {
            if (child.isAlive()) {
                child.destroyForcibly();
            }
        }
    }
}
