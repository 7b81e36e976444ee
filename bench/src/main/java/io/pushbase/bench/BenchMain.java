package io.pushbase.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import net.sourceforge.argparse4j.helper.HelpScreenException;
import net.sourceforge.argparse4j.inf.ArgumentParserException;
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

    /** Parses a benchmark's command line into its options ({@link BenchArguments}). */
    interface Parser<T> {
        T parse(String[] args) throws ArgumentParserException;
    }

    private BenchMain() {}

    /**
     * Parses {@code args}, or exits: 0 after {@code --help} (the help printed on stdout), 2 for a
     * wrong argument (the error and the usage on stderr).
     */
    static <T> T optionsOrExit(String[] args, Parser<T> parser) {
        try {
            return parser.parse(args);
        } catch (HelpScreenException e) {
            System.exit(0);
        } catch (ArgumentParserException e) {
            e.getParser().handleError(e);
            System.exit(2);
        }
        throw new AssertionError("unreachable: exited");
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

    /** A fresh directory {@code bench/target/<prefix>…} for one run's data and logs. */
    static Path freshDataDir(String prefix) throws IOException {
        Path target = Path.of("bench/target").toAbsolutePath();
        Files.createDirectories(target);
        return Files.createTempDirectory(target, prefix);
    }

    /**
     * How a report ends: the run's duration and the checks' verdict added to {@code out}, every
     * line printed; then {@link ChecksFailed} when a check failed (the data and logs kept for a
     * look), else the data removed.
     */
    static void finishReport(List<String> out, List<String> failures, long startedNanos, Path data)
            throws Exception {
        out.add("");
        out.add(
                String.format(
                        Locale.ROOT, "Run took %.0f s.", (System.nanoTime() - startedNanos) / 1e9));
        if (failures.isEmpty()) {
            out.add("All checks passed.");
        } else {
            out.add("**Checks failed:** " + String.join("; ", failures));
        }
        out.forEach(System.out::println);
        System.out.flush();
        if (!failures.isEmpty()) {
            throw new ChecksFailed(String.join("; ", failures) + " (logs kept in " + data + ")");
        }
        StandaloneBenchmark.removeData(data);
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
