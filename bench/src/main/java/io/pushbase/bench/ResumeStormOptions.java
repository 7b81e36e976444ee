package io.pushbase.bench;

import io.pushbase.store.app.StoreConfiguration;
import java.nio.file.Path;
import java.util.List;
import net.sourceforge.argparse4j.inf.ArgumentParserException;
import net.sourceforge.argparse4j.inf.Namespace;

/**
 * Settings of one resume-storm run, from flags or {@code bench.<name>} system properties ({@link
 * BenchArguments}; {@code --help} lists them).
 *
 * @param scenarios which scenarios run, in running order (storm, deep)
 * @param clients storm: keys, one client each
 * @param behind storm: messages each client is behind
 * @param rounds storm: rounds of both ways, the order alternating (pull first in odd rounds)
 * @param pullConnections storm: HTTP connections the pulling clients share (pulls in flight)
 * @param deep deep: messages the one client is behind
 * @param deepPushers deep: pushes in flight while its key is filled
 * @param timeoutSeconds each way's time limit for every client to catch up
 * @param dist the unpacked distribution whose processes are started
 */
record ResumeStormOptions(
        List<String> scenarios,
        int clients,
        int behind,
        int rounds,
        int pullConnections,
        int deep,
        int deepPushers,
        int timeoutSeconds,
        Path dist) {

    static final List<String> ALL_SCENARIOS = List.of("storm", "deep");

    /**
     * The largest per-key cap a message node accepts (message.yml's {@code store.maxStoredPerKey},
     * validated): a client further behind than this cannot be replayed everything.
     */
    static final int MAX_PER_KEY_CAP = StoreConfiguration.MAX_STORED_PER_KEY;

    static ResumeStormOptions parse(String[] args) throws ArgumentParserException {
        BenchArguments arguments =
                BenchArguments.of(
                                "bench/run-resume-storm-bench",
                                String.join(
                                        "\n",
                                        "Starts the built distribution's processes (local HBase, a"
                                                + " message node, a comet, a web node; fresh data"
                                                + " under bench/target), measures clients catching"
                                                + " up after a reconnect, stops them, and prints a"
                                                + " Markdown report. Exits 1 if a check failed (a"
                                                + " client short of its messages, an answer other"
                                                + " than complete), 2 on bad usage.",
                                        "",
                                        "Scenarios:",
                                        "  storm  N clients reconnect at once, each M messages"
                                                + " behind: resuming (sub with since,",
                                        "         the comet replays) against subscribing and"
                                                + " pulling /1/msg/get, in the same run;",
                                        "         time until every client has its M messages,"
                                                + " message node CPU and Fetch calls/s",
                                        "  deep   one client D messages behind: replay rate"
                                                + " against paged pulls"),
                                "Progress goes to stderr, the report to stdout; the nodes' logs"
                                        + " stay in the data directory's logs/ (HBase's files are"
                                        + " removed after a run whose checks passed).")
                        .option(
                                "only",
                                BenchArguments.subset(ALL_SCENARIOS),
                                String.join(",", ALL_SCENARIOS),
                                "LIST",
                                "scenarios to run, of storm,deep; they run in that order")
                        .option(
                                "clients",
                                BenchArguments.number(1),
                                "10000",
                                "N",
                                "storm: clients (keys), all reconnecting at once")
                        .option(
                                "behind",
                                BenchArguments.number(1),
                                "100",
                                "M",
                                "storm: messages each client missed")
                        .option(
                                "rounds",
                                BenchArguments.number(1),
                                "2",
                                "N",
                                "storm: rounds of both ways; odd rounds pull first, even ones"
                                        + " resume first")
                        .option(
                                "pull-connections",
                                BenchArguments.number(1),
                                "200",
                                "N",
                                "storm: keep-alive HTTP connections the pulling clients share")
                        .option(
                                "deep",
                                BenchArguments.number(1),
                                "10000",
                                "D",
                                "deep: messages the one client missed, at most "
                                        + MAX_PER_KEY_CAP
                                        + " (the per-key cap is raised to fit; message.yml accepts"
                                        + " no larger cap; see docs/STORE.md for what a cap costs)")
                        .option(
                                "deep-pushers",
                                BenchArguments.number(1),
                                "32",
                                "N",
                                "deep: pushes in flight while its key is filled")
                        .option(
                                "timeout",
                                BenchArguments.number(1),
                                "300",
                                "S",
                                "each way's limit in seconds for every client to catch up")
                        .distProcesses("run-resume-storm-bench");
        Namespace flags = arguments.parse(args);
        if (flags.getInt("deep") > MAX_PER_KEY_CAP || flags.getInt("behind") > MAX_PER_KEY_CAP) {
            throw arguments.error(
                    "--deep and --behind must be at most "
                            + MAX_PER_KEY_CAP
                            + ": a message node keeps no more per key (store.maxStoredPerKey)");
        }
        return new ResumeStormOptions(
                flags.getList("only"),
                flags.getInt("clients"),
                flags.getInt("behind"),
                flags.getInt("rounds"),
                flags.getInt("pull_connections"),
                flags.getInt("deep"),
                flags.getInt("deep_pushers"),
                flags.getInt("timeout"),
                Path.of(flags.getString("dist")).toAbsolutePath().normalize());
    }

    boolean runs(String scenario) {
        return scenarios.contains(scenario);
    }

    /** The message node's per-key cap: every message of either scenario stays stored. */
    int perKeyCap() {
        return Math.min(
                MAX_PER_KEY_CAP,
                Math.max(runs("storm") ? behind : 0, runs("deep") ? deep : 0) + 100);
    }
}
