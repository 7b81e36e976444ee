package io.pushbase.bench;

import java.time.Duration;
import java.util.List;
import net.sourceforge.argparse4j.inf.ArgumentParserException;
import net.sourceforge.argparse4j.inf.Namespace;

/**
 * Settings of one benchmark run. Each comes from a command-line flag, else a system property
 * ({@code bench.<name>}), else its default ({@link BenchArguments}; {@code --help} lists them).
 *
 * @param measure measured window per scenario
 * @param warmup warm-up per scenario, not measured
 * @param prewarm one load before the first scenario so the JIT has compiled the hot paths (a cold
 *     JVM on few cores otherwise skews the first scenario)
 * @param keys distinct keys written by Append and AppendMany
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
    static final List<String> ALL_SCENARIOS = List.of("append", "fetch");

    static BenchOptions parse(String[] args) throws ArgumentParserException {
        BenchArguments arguments =
                BenchArguments.of(
                                "bench/run-store-bench",
                                "The store benchmark: the message node's store over an HBase mini"
                                        + " cluster in this JVM, one scenario per gRPC method.",
                                "")
                        .windows(
                                "20",
                                "5",
                                "warm-up per scenario in seconds",
                                "15",
                                "JIT warm-up before the first scenario in seconds")
                        .option(
                                "keys",
                                BenchArguments.number(100),
                                "10000",
                                "N",
                                "distinct keys for Append and AppendMany, at least 100")
                        .option(
                                "fetch-keys",
                                BenchArguments.number(1),
                                "200",
                                "N",
                                "keys pre-filled with 100 messages for Fetch")
                        .option(
                                "only",
                                BenchArguments.subset(ALL_SCENARIOS),
                                String.join(",", ALL_SCENARIOS),
                                "LIST",
                                "run only these scenarios, of " + String.join(",", ALL_SCENARIOS));
        Namespace flags = arguments.parse(args);
        return new BenchOptions(
                Duration.ofSeconds(flags.getInt("seconds")),
                Duration.ofSeconds(flags.getInt("warmup")),
                Duration.ofSeconds(flags.getInt("prewarm")),
                flags.getInt("keys"),
                flags.getInt("fetch_keys"),
                flags.getList("only"));
    }

    boolean runs(String scenario) {
        return scenarios.contains(scenario);
    }
}
