package io.pushbase.store.app;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * An HBase mini cluster in a child JVM ({@code MiniHBaseMain}), with the full test classpath Maven
 * wrote to {@code target/test-classpath.txt}. Owned by the test that starts it: {@link #close()}
 * ends it through its handle (stdin close, then destroy).
 */
final class MiniHBaseProcess implements AutoCloseable {
    private final Process process;
    private final String quorum;

    private MiniHBaseProcess(Process process, String quorum) {
        this.process = process;
        this.quorum = quorum;
    }

    static MiniHBaseProcess start() throws Exception {
        String classpath =
                String.join(
                        File.pathSeparator,
                        "target/test-classes",
                        "target/classes",
                        Files.readString(Path.of("target/test-classpath.txt")).trim());
        Path log = Files.createTempFile("minihbase", ".log");
        Process p =
                new ProcessBuilder(
                                List.of(
                                        Path.of(System.getProperty("java.home"), "bin", "java")
                                                .toString(),
                                        "-Xmx1g",
                                        "--add-opens",
                                        "java.base/java.nio=ALL-UNNAMED",
                                        "--add-opens",
                                        "java.base/java.lang=ALL-UNNAMED",
                                        "-cp",
                                        classpath,
                                        "io.pushbase.store.hbase.MiniHBaseMain"))
                        .redirectError(log.toFile())
                        .start();
        BufferedReader out =
                new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        // Drain stdout for the child's whole life: a full pipe would block its logging.
        CompletableFuture<String> ready = new CompletableFuture<>();
        Thread drain =
                new Thread(
                        () -> {
                            try {
                                for (String line; (line = out.readLine()) != null; ) {
                                    if (line.startsWith("READY ")) {
                                        ready.complete(line.substring("READY ".length()));
                                    }
                                }
                            } catch (IOException ignored) {
                                // child gone
                            }
                            ready.complete(null);
                        },
                        "minihbase-stdout");
        drain.setDaemon(true);
        drain.start();
        String quorum;
        try {
            quorum = ready.get(180, TimeUnit.SECONDS);
        } catch (Exception e) {
            quorum = null;
        }
        if (quorum == null) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            throw new IllegalStateException("HBase mini cluster did not start; see " + log);
        }
        return new MiniHBaseProcess(p, quorum);
    }

    String zookeeperQuorum() {
        return quorum;
    }

    @Override
    public void close() throws Exception {
        process.getOutputStream().close();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
