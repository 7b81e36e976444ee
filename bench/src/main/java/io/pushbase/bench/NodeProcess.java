package io.pushbase.bench;

import io.pushbase.launcher.process.ChildJvm;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Pushbase node in a child JVM ({@link ChildJvm}), started as the README runs it ({@code
 * <Application> server <module>/<config>.yml} with the module's {@code target/classes} and {@code
 * target/runtime-classpath.txt}), configured through the environment variables its yml reads, its
 * output in a log file; plus what a benchmark asks of it ({@code jcmd}). The benchmark owns it:
 * {@link #stop()} ends it, also from a shutdown hook, so a failed or interrupted benchmark leaves
 * no node behind.
 */
final class NodeProcess {
    private static final Path JCMD = Path.of(System.getProperty("java.home"), "bin", "jcmd");

    private final ChildJvm jvm;

    private NodeProcess(ChildJvm jvm) {
        this.jvm = jvm;
    }

    /**
     * Starts {@code mainClass server <module>/<config>} from the module's build output.
     *
     * @param repoRoot the checkout (working directory of the child)
     * @param module the module folder, e.g. {@code api-web}
     * @param env environment variables for the yml's {@code ${VAR:-default}} substitutions
     */
    static NodeProcess start(
            String name,
            Path repoRoot,
            String module,
            String mainClass,
            String config,
            List<String> jvmFlags,
            Map<String, String> env,
            Path log)
            throws IOException {
        Path moduleDir = repoRoot.resolve(module);
        String classpath =
                moduleDir.resolve("target/classes")
                        + ":"
                        + Files.readString(moduleDir.resolve("target/runtime-classpath.txt"))
                                .trim();
        Files.deleteIfExists(log); // one log per run
        NodeProcess node =
                new NodeProcess(
                        ChildJvm.start(
                                name,
                                jvmFlags,
                                classpath,
                                mainClass,
                                List.of("server", moduleDir.resolve(config).toString()),
                                env,
                                log,
                                true,
                                repoRoot));
        Runtime.getRuntime().addShutdownHook(new Thread(node::stop, "stop-" + name));
        return node;
    }

    long pid() {
        return jvm.pid();
    }

    Path log() {
        return jvm.log();
    }

    /** Throws when the child has exited (with its exit code and where its log is). */
    void checkAlive() throws IOException {
        jvm.checkAlive();
    }

    /** Runs {@code jcmd <pid> <command>} and returns its output. */
    String jcmd(String command) throws IOException, InterruptedException {
        Process p =
                new ProcessBuilder(JCMD.toString(), Long.toString(pid()), command)
                        .redirectErrorStream(true)
                        .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("jcmd " + command + " on " + jvm.name() + " failed: " + out);
        }
        return out;
    }

    /** The JVM flags the child runs with ({@code jcmd VM.flags}). */
    String vmFlags() throws IOException, InterruptedException {
        String out = jcmd("VM.flags").trim();
        int colon = out.indexOf(":\n");
        return (colon >= 0 ? out.substring(colon + 2) : out).trim();
    }

    /**
     * Ends the child: SIGTERM (a graceful Dropwizard stop), then SIGKILL after 30 s. Idempotent;
     * safe from a shutdown hook.
     */
    void stop() {
        jvm.stopQuietly();
    }

    /** A TCP port free on this machine right now (for a child to bind). */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
