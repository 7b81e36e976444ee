package io.pushbase.bench;

import io.pushbase.comet.app.CometApplication;
import io.pushbase.launcher.nodes.LoopbackPorts;
import io.pushbase.launcher.nodes.Role;
import io.pushbase.launcher.process.ChildJvm;
import io.pushbase.store.app.MessageApplication;
import io.pushbase.web.app.WebApplication;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Pushbase node in a child JVM ({@link ChildJvm}), started as the README runs it ({@code
 * <Application> server <module>/<role>.yml} with the module's {@code target/classes} and {@code
 * target/runtime-classpath.txt}), on loopback ports through the environment variables its yml reads
 * ({@link LoopbackPorts}), its output in a log file; plus what a benchmark asks of it ({@code
 * jcmd}). The benchmark owns it: {@link #stop()} ends it, also from a shutdown hook, so a failed or
 * interrupted benchmark leaves no node behind.
 */
final class NodeProcess {
    private static final Path JCMD = Path.of(System.getProperty("java.home"), "bin", "jcmd");

    private final ChildJvm jvm;

    private NodeProcess(ChildJvm jvm) {
        this.jvm = jvm;
    }

    /**
     * Starts a node of {@code ports.role()} as the README runs it from the build tree ({@code
     * <Application> server <module>/<role>.yml}), its ports, name and ZooKeeper set through {@link
     * LoopbackPorts#environment}.
     *
     * @param repoRoot the checkout (working directory of the child)
     */
    static NodeProcess start(
            String name,
            Path repoRoot,
            LoopbackPorts ports,
            String zookeeper,
            String nodeName,
            List<String> jvmFlags,
            Path log)
            throws IOException {
        Role role = ports.role();
        String module;
        Class<?> application;
        switch (role) {
            case MESSAGE -> {
                module = "store-message";
                application = MessageApplication.class;
            }
            case COMET -> {
                module = "gateway-comet";
                application = CometApplication.class;
            }
            case WEB -> {
                module = "api-web";
                application = WebApplication.class;
            }
            default -> throw new IllegalArgumentException("no module for " + role);
        }
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
                                application.getName(),
                                List.of(
                                        "server",
                                        moduleDir.resolve(role.roleName() + ".yml").toString()),
                                ports.environment(zookeeper, nodeName),
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
}
