package io.pushbase.launcher.standalone;

import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * {@code pushbase standalone}: starts a {@link StandaloneCluster}, prints where everything listens,
 * and runs until Ctrl-C or SIGTERM (a shutdown hook stops every child, in reverse order, before
 * this JVM exits). A child that dies on its own is restarted with backoff while the other keeps
 * running ({@link StandaloneCluster#superviseOnce()}); one that keeps dying (a crash loop) stops
 * everything with exit code 1.
 */
public final class StandaloneCommand {
    /** The distribution root, set by {@code bin/pushbase}. */
    static final String HOME_PROPERTY = "pushbase.home";

    private StandaloneCommand() {}

    /** Runs the command; answers the process exit code. */
    public static int run(String[] args) throws Exception {
        PrintStream out = System.out;
        String home = System.getProperty(HOME_PROPERTY);
        if (home == null) {
            System.err.println("pushbase.home is not set: start standalone through bin/pushbase");
            return 2;
        }
        StandaloneOptions options;
        try {
            options = StandaloneOptions.parse(Path.of(home), args);
        } catch (IllegalArgumentException e) {
            System.err.println("pushbase standalone: " + e.getMessage());
            StandaloneOptions.printUsage(
                    new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8)));
            return 2;
        }
        if (options == null) {
            return 0; // --help: printed
        }
        StandaloneCluster cluster = new StandaloneCluster(options, out, System.getenv());
        Thread hook =
                new Thread(
                        () -> {
                            out.println("Stopping Pushbase standalone...");
                            try {
                                cluster.close();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "standalone-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("Starting Pushbase standalone (data in " + options.data() + ")...");
        try {
            cluster.start();
        } catch (Exception e) {
            System.err.println("Pushbase standalone failed to start: " + e.getMessage());
            return 1;
        }
        cluster.printBanner();
        while (cluster.superviseOnce()) {
            Thread.sleep(500);
        }
        System.err.println("A child keeps dying; stopping everything.");
        return 1; // the shutdown hook stops the rest
    }
}
