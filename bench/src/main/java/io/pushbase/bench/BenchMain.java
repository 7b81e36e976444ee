package io.pushbase.bench;

import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * How every benchmark's {@code main} ends: run the benchmark, print a failure with its stack trace
 * (or a failed check with its message), then exit explicitly (0 on success, 1 on failure). The
 * explicit exit matters: HBase and ZooKeeper leave non-daemon threads behind even after a clean
 * stop.
 */
final class BenchMain {
    /** A benchmark run that may throw anything. */
    interface Run {
        void run() throws Exception;
    }

    /**
     * A benchmark that ran to the end but whose correctness checks failed: the report is printed,
     * the run exits 1 with this message (no stack trace: nothing crashed).
     */
    static final class ChecksFailed extends Exception {
        private static final long serialVersionUID = 1L;

        ChecksFailed(String message) {
            super(message);
        }
    }

    /** Parses a benchmark's command line into its options. */
    interface Parser<T> {
        T parse(String[] args) throws BenchFlags.UsageException;
    }

    private BenchMain() {}

    /**
     * Parses {@code args}, or prints the usage and exits (0 for {@code --help}, 2 for a wrong
     * argument).
     */
    static <T> T optionsOrExit(String[] args, Parser<T> parser, String usage) {
        try {
            return parser.parse(args);
        } catch (BenchFlags.UsageException e) {
            usageAndExit(usage, e.getMessage());
            throw new AssertionError("unreachable: usageAndExit exits");
        }
    }

    /**
     * Runs a benchmark that holds an in-process HBase mini cluster ({@link StoreStack}), with
     * logging as it needs it, then exits as {@link #runAndExit} does. The store-message test-jar on
     * the classpath carries a logback-test.xml, which logback would prefer: this module's quiet
     * logback.xml is used instead; gRPC's java.util.logging goes to SLF4J.
     */
    static void runWithStoreLogging(Run benchmark) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "logback.xml");
        }
        runAndExit(
                () -> {
                    SLF4JBridgeHandler.removeHandlersForRootLogger();
                    SLF4JBridgeHandler.install();
                    benchmark.run();
                });
    }

    /**
     * Prints the usage (after the error, if any) and exits: 0 when the user asked for help (no
     * error), 2 for a wrong argument.
     */
    static void usageAndExit(String usage, String error) {
        if (error != null) {
            System.err.println("error: " + error);
        }
        System.err.println(usage);
        System.exit(error == null ? 0 : 2);
    }

    static void runAndExit(Run benchmark) {
        int exit = 1;
        try {
            benchmark.run();
            exit = 0;
        } catch (ChecksFailed e) {
            System.err.println("FAILED: " + e.getMessage());
        } catch (Throwable t) {
            System.err.println("Benchmark failed:");
            t.printStackTrace();
        }
        System.out.flush();
        System.exit(exit);
    }
}
