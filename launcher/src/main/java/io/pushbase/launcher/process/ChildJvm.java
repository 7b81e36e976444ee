package io.pushbase.launcher.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM owned by this process (the standalone supervisor's nodes, a benchmark's nodes):
 * started with this JVM's own {@code java}, its output appended to a log file, its standard input a
 * pipe this process holds open (a supervised role exits when it closes; see {@code ParentWatch}).
 * Stopped by its handle only: SIGTERM, then, after the grace period, SIGKILL.
 *
 * <p>Thread-safe: {@link #stop} may race with itself (e.g. from a shutdown hook); the process
 * handle makes repeated stops harmless.
 */
public final class ChildJvm {
    private final String name;
    private final Process process;
    private final Path log;

    private ChildJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code mainClass} with {@code args}.
     *
     * @param stdoutToLog false to read standard output through {@link #readLine} (a READY line)
     */
    public static ChildJvm start(
            String name,
            List<String> jvmOptions,
            String classpath,
            String mainClass,
            List<String> args,
            Map<String, String> env,
            Path log,
            boolean stdoutToLog)
            throws IOException {
        return start(name, jvmOptions, classpath, mainClass, args, env, log, stdoutToLog, null);
    }

    /** As {@link #start}, in working directory {@code directory} (null: this process's). */
    public static ChildJvm start(
            String name,
            List<String> jvmOptions,
            String classpath,
            String mainClass,
            List<String> args,
            Map<String, String> env,
            Path log,
            boolean stdoutToLog,
            Path directory)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(args);
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(command);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        builder.environment().putAll(env);
        builder.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        if (stdoutToLog) {
            builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        }
        return new ChildJvm(name, builder.start(), log);
    }

    private static String javaExecutable() {
        return ProcessHandle.current()
                .info()
                .command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Throws when the child has exited, with its exit code and where its log is. */
    public void checkAlive() throws IOException {
        if (!process.isAlive()) {
            throw new IOException(
                    name + " exited with " + process.exitValue() + ", see its log " + log);
        }
    }

    /** Standard output (only when it was not sent to the log). */
    public BufferedReader stdout() {
        return new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Copies the rest of standard output to the log on a daemon thread. */
    public void drainStdoutToLog(BufferedReader out) {
        Thread drain =
                new Thread(
                        () -> {
                            try (OutputStream file =
                                    Files.newOutputStream(
                                            log,
                                            StandardOpenOption.CREATE,
                                            StandardOpenOption.APPEND)) {
                                String line;
                                while ((line = out.readLine()) != null) {
                                    file.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                                }
                            } catch (IOException e) {
                                // the child is gone
                            }
                        },
                        name + "-stdout");
        drain.setDaemon(true);
        drain.start();
    }

    /**
     * Stops the child: SIGTERM (its shutdown hooks run), then SIGKILL after {@code grace}.
     *
     * @return the exit code
     */
    public int stop(Duration grace) throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
        try {
            process.getOutputStream().close();
        } catch (IOException ignored) {
            // already closed with the process
        }
        return process.exitValue();
    }

    /**
     * Kills the child at once (SIGKILL: no shutdown hook runs, sockets are reset, ZooKeeper
     * sessions expire on their own), as a crash would; waits up to {@code wait} for it to be gone.
     *
     * @return whether it is gone
     */
    public boolean kill(Duration wait) throws InterruptedException {
        process.destroyForcibly();
        return process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * {@link #stop(Duration)} with a 30 s grace, for shutdown hooks: never throws; an interrupt
     * kills the child at once.
     */
    public void stopQuietly() {
        try {
            stop(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** The last {@code lines} lines of the child's log, for error messages. */
    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
