package io.pushbase.bench;

/**
 * How every benchmark's {@code main} ends: run the benchmark, print a failure with its stack trace,
 * then exit explicitly (0 on success, 1 on failure). The explicit exit matters: HBase and ZooKeeper
 * leave non-daemon threads behind even after a clean stop.
 */
final class BenchMain {
    /** A benchmark run that may throw anything. */
    interface Run {
        void run() throws Exception;
    }

    private BenchMain() {}

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
        } catch (Throwable t) {
            System.err.println("Benchmark failed:");
            t.printStackTrace();
        }
        System.out.flush();
        System.exit(exit);
    }
}
