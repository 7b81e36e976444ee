package io.pushbase.launcher.standalone;

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
 * One child JVM of the standalone cluster: started with this JVM's own {@code java}, its output
 * appended to a log file, its standard input a pipe this process holds open (a supervised role
 * exits when it closes; see {@code ParentWatch}). Stopped by its handle only: SIGTERM, then, after
 * the grace period, SIGKILL.
 *
 * <p>Not thread-safe for concurrent stops; the supervisor stops children one at a time.
 */
final class ChildJvm {
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
    static ChildJvm start(
            String name,
            List<String> jvmOptions,
            String classpath,
            String mainClass,
            List<String> args,
            Map<String, String> env,
            Path log,
            boolean stdoutToLog)
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

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Standard output (only when it was not sent to the log). */
    BufferedReader stdout() {
        return new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Copies the rest of standard output to the log on a daemon thread. */
    void drainStdoutToLog(BufferedReader out) {
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
    int stop(Duration grace) throws InterruptedException {
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

    /** The last {@code lines} lines of the child's log, for error messages. */
    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
