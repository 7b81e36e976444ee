package io.pushbase.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
    static final List<String> ALL_SCENARIOS = List.of("save", "savemany", "append", "fetch");

    static final String USAGE =
            String.join(
                    "\n",
                    "Usage: bench/run-store-bench [--seconds N] [--warmup N] [--prewarm N]"
                            + " [--keys N] [--fetch-keys N] [--only save,savemany,append,fetch]",
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

    static BenchOptions parse(String[] args) throws BenchFlags.UsageException {
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("seconds", "20");
        defaults.put("warmup", "5");
        defaults.put("prewarm", "15");
        defaults.put("keys", "10000");
        defaults.put("fetch-keys", "200");
        defaults.put("only", String.join(",", ALL_SCENARIOS));
        BenchFlags flags = BenchFlags.parse(args, defaults);
        return new BenchOptions(
                flags.seconds("seconds", 1),
                flags.seconds("warmup", 0),
                flags.seconds("prewarm", 0),
                (int) flags.number("keys", 100),
                (int) flags.number("fetch-keys", 1),
                flags.subset("only", ALL_SCENARIOS));
    }

    boolean runs(String scenario) {
        return scenarios.contains(scenario);
    }
}
