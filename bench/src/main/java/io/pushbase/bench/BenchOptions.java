package io.pushbase.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Settings of one benchmark run. Each comes from a command-line flag, else a system property
 * ({@code bench.<name>}), else its default; see {@link #USAGE}.
 *
 * @param measure measured window per scenario
 * @param warmup warm-up per scenario, not measured
 * @param prewarm one load before the first scenario so the JIT has compiled the hot paths (a cold
 *     JVM on few cores otherwise skews the first scenario)
 * @param keys distinct keys written by Save and SaveMany
 * @param fetchKeys keys pre-filled with 100 messages each and read by Fetch
 * @param scenarios which scenarios run, in running order
 */
record BenchOptions(
        Duration measure,
        Duration warmup,
        Duration prewarm,
        int keys,
        int fetchKeys,
        List<String> scenarios) {

    /** Every scenario, in the order they run. */
    static final List<String> ALL_SCENARIOS = List.of("save", "savemany", "fetch");

    static final String USAGE =
            String.join(
                    "\n",
                    "Usage: bench/run-store-bench [--seconds N] [--warmup N] [--prewarm N]"
                            + " [--keys N] [--fetch-keys N] [--only save,savemany,fetch]",
                    "  --seconds N      measured window per scenario in seconds (default 20)",
                    "  --warmup N       warm-up per scenario in seconds (default 5)",
                    "  --prewarm N      JIT warm-up before the first scenario in seconds"
                            + " (default 15)",
                    "  --keys N         distinct keys for Save and SaveMany, >= 100"
                            + " (default 10000)",
                    "  --fetch-keys N   keys pre-filled with 100 messages for Fetch"
                            + " (default 200)",
                    "  --only LIST      run only these scenarios (default all)",
                    "Each flag may also be given as a system property: bench.seconds,"
                            + " bench.warmup, bench.prewarm, bench.keys, bench.fetchKeys,"
                            + " bench.only.");

    /** A command line the benchmark cannot run with. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    static BenchOptions parse(String[] args) throws UsageException {
        String seconds = System.getProperty("bench.seconds", "20");
        String warmup = System.getProperty("bench.warmup", "5");
        String prewarm = System.getProperty("bench.prewarm", "15");
        String keys = System.getProperty("bench.keys", "10000");
        String fetchKeys = System.getProperty("bench.fetchKeys", "200");
        String only = System.getProperty("bench.only", String.join(",", ALL_SCENARIOS));
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("-h") || flag.equals("--help")) {
                throw new UsageException(null);
            }
            if (!flag.startsWith("--")) {
                throw new UsageException("unexpected argument " + flag);
            }
            String value;
            int eq = flag.indexOf('=');
            if (eq > 0) {
                value = flag.substring(eq + 1);
                flag = flag.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new UsageException("missing value after " + flag);
            }
            switch (flag) {
                case "--seconds" -> seconds = value;
                case "--warmup" -> warmup = value;
                case "--prewarm" -> prewarm = value;
                case "--keys" -> keys = value;
                case "--fetch-keys" -> fetchKeys = value;
                case "--only" -> only = value;
                default -> throw new UsageException("unknown option " + flag);
            }
        }
        Set<String> chosen =
                Set.copyOf(
                        Arrays.asList(only.toLowerCase(Locale.ROOT).replace(" ", "").split(",")));
        if (!ALL_SCENARIOS.containsAll(chosen)) {
            throw new UsageException("--only takes a subset of save,savemany,fetch: " + only);
        }
        return new BenchOptions(
                Duration.ofSeconds(number("--seconds", seconds, 1)),
                Duration.ofSeconds(number("--warmup", warmup, 0)),
                Duration.ofSeconds(number("--prewarm", prewarm, 0)),
                (int) number("--keys", keys, 100),
                (int) number("--fetch-keys", fetchKeys, 1),
                ALL_SCENARIOS.stream().filter(chosen::contains).toList());
    }

    boolean runs(String scenario) {
        return scenarios.contains(scenario);
    }

    private static long number(String flag, String value, long min) throws UsageException {
        long n;
        try {
            n = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(flag + " needs a whole number, got '" + value + "'");
        }
        if (n < min || n > Integer.MAX_VALUE) {
            throw new UsageException(flag + " must be at least " + min + ", got " + n);
        }
        return n;
    }
}
