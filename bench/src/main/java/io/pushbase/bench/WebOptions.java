package io.pushbase.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings of one web-node benchmark run, from flags or {@code bench.<name>} system properties (see
 * {@link BenchFlags} and {@link #USAGE}).
 *
 * @param measure measured window per scenario
 * @param warmup warm-up per scenario, not measured
 * @param prewarm pull then push load before the first scenario, so the child JVMs have compiled
 *     their hot paths
 * @param pullKeys keys pre-filled with 100 messages each and pulled
 * @param pushKeys distinct keys pushes are spread over
 * @param pullConnections keep-alive connections of each pull scenario
 * @param pushConnections keep-alive connections of each push scenario
 * @param scenarios which scenario groups run, in running order
 */
record WebOptions(
        Duration measure,
        Duration warmup,
        Duration prewarm,
        int pullKeys,
        int pushKeys,
        List<Integer> pullConnections,
        List<Integer> pushConnections,
        List<String> scenarios) {

    /** Every scenario group, in the order they run (fallback stops the comet, so it is last). */
    static final List<String> ALL_SCENARIOS = List.of("pull", "push", "fallback");

    static final String USAGE =
            String.join(
                    "\n",
                    "Usage: bench/run-web-bench [--seconds N] [--warmup N] [--prewarm N]"
                            + " [--pull-keys N] [--push-keys N] [--pull-connections LIST]"
                            + " [--push-connections LIST] [--only pull,push,fallback]",
                    "  --seconds N               measured window per scenario (default 15)",
                    "  --warmup N                warm-up per scenario in seconds (default 5)",
                    "  --prewarm N               JIT warm-up of the nodes before the first"
                            + " scenario in seconds, half pull, half push (default 90)",
                    "  --pull-keys N             keys pre-filled with 100 messages (default 1000)",
                    "  --push-keys N             distinct keys pushed to (default 10000)",
                    "  --pull-connections LIST   keep-alive connections per pull run"
                            + " (default 1,8)",
                    "  --push-connections LIST   keep-alive connections per push run"
                            + " (default 8,32); the new-keys and fallback runs use the largest",
                    "  --only LIST               scenario groups: pull (GET /1/msg/get), push"
                            + " (admin push through the comet, to known keys then to new keys),"
                            + " fallback (admin push with the comet stopped: the web node"
                            + " stores); default all",
                    "Each flag may also be given as a system property: bench.seconds,"
                            + " bench.pullKeys, bench.pushConnections, ...");

    static WebOptions parse(String[] args) throws BenchFlags.UsageException {
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("seconds", "15");
        defaults.put("warmup", "5");
        defaults.put("prewarm", "90");
        defaults.put("pull-keys", "1000");
        defaults.put("push-keys", "10000");
        defaults.put("pull-connections", "1,8");
        defaults.put("push-connections", "8,32");
        defaults.put("only", String.join(",", ALL_SCENARIOS));
        BenchFlags flags = BenchFlags.parse(args, defaults);
        return new WebOptions(
                flags.seconds("seconds", 1),
                flags.seconds("warmup", 0),
                flags.seconds("prewarm", 0),
                (int) flags.number("pull-keys", 1),
                (int) flags.number("push-keys", 1),
                flags.numbers("pull-connections", 1),
                flags.numbers("push-connections", 1),
                flags.subset("only", ALL_SCENARIOS));
    }

    boolean runs(String scenario) {
        return scenarios.contains(scenario);
    }

    /** Whether any scenario needs the comet (push goes through it; fallback stops it). */
    boolean needsComet() {
        return runs("push") || runs("fallback");
    }
}
