package io.pushbase.bench;

import java.time.Duration;
import java.util.List;
import net.sourceforge.argparse4j.inf.ArgumentParserException;
import net.sourceforge.argparse4j.inf.Namespace;

/**
 * Settings of one web-node benchmark run, from flags or {@code bench.<name>} system properties
 * ({@link BenchArguments}; {@code --help} lists them).
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

    static WebOptions parse(String[] args) throws ArgumentParserException {
        BenchArguments arguments =
                BenchArguments.of(
                                "bench/run-web-bench",
                                "The web-node benchmark: offline pull and admin push through the"
                                        + " whole path over HTTP/1.1 keep-alive connections,"
                                        + " closed loop.",
                                "")
                        .windows(
                                "15",
                                "5",
                                "warm-up per scenario in seconds",
                                "90",
                                "JIT warm-up of the nodes before the first scenario in seconds,"
                                        + " half pull, half push")
                        .option(
                                "pull-keys",
                                BenchArguments.number(1),
                                "1000",
                                "N",
                                "keys pre-filled with 100 messages")
                        .option(
                                "push-keys",
                                BenchArguments.number(1),
                                "10000",
                                "N",
                                "distinct keys pushed to")
                        .option(
                                "pull-connections",
                                BenchArguments.numbers(1),
                                "1,8",
                                "LIST",
                                "keep-alive connections per pull run")
                        .option(
                                "push-connections",
                                BenchArguments.numbers(1),
                                "8,32",
                                "LIST",
                                "keep-alive connections per push run; the new-keys and fallback"
                                        + " runs use the largest")
                        .option(
                                "only",
                                BenchArguments.subset(ALL_SCENARIOS),
                                String.join(",", ALL_SCENARIOS),
                                "LIST",
                                "scenario groups: pull (GET /1/msg/get), push (admin push through"
                                        + " the comet, to known keys then to new keys), fallback"
                                        + " (admin push with the comet stopped: the web node"
                                        + " stores)");
        Namespace flags = arguments.parse(args);
        return new WebOptions(
                Duration.ofSeconds(flags.getInt("seconds")),
                Duration.ofSeconds(flags.getInt("warmup")),
                Duration.ofSeconds(flags.getInt("prewarm")),
                flags.getInt("pull_keys"),
                flags.getInt("push_keys"),
                flags.getList("pull_connections"),
                flags.getList("push_connections"),
                flags.getList("only"));
    }

    boolean runs(String scenario) {
        return scenarios.contains(scenario);
    }

    /** Whether any scenario needs the comet (push goes through it; fallback stops it). */
    boolean needsComet() {
        return runs("push") || runs("fallback");
    }
}
