package io.pushbase.bench;

import java.nio.file.Path;
import java.time.Duration;
import net.sourceforge.argparse4j.inf.ArgumentParserException;
import net.sourceforge.argparse4j.inf.Namespace;

/**
 * Settings of one acknowledgement-benchmark run, from flags or {@code bench.<name>} system
 * properties ({@link BenchArguments}; {@code --help} lists them).
 *
 * @param subscribers TCP subscribers, one key and one device each
 * @param rate admin pushes per second offered, spread over the keys in turn
 * @param rounds rounds of both phases (acks off, acks on), the order alternating
 * @param prewarm an unmeasured stretch of the load with acks before the first phase, so that no
 *     phase runs on cold JITs and caches
 * @param warmup each phase's warm-up before its measured window
 * @param measure each phase's measured window
 * @param maxInflight pushes in flight at most (keep-alive connections to the web node's admin port)
 * @param cursorSample keys whose cursors are compared with their subscriber's last mid after each
 *     phase with acks
 * @param dist the unpacked distribution whose processes are started
 */
record AckBenchOptions(
        int subscribers,
        int rate,
        int rounds,
        Duration prewarm,
        Duration warmup,
        Duration measure,
        int maxInflight,
        int cursorSample,
        Path dist) {

    static AckBenchOptions parse(String[] args) throws ArgumentParserException {
        BenchArguments arguments =
                BenchArguments.of(
                                "bench/run-ack-bench",
                                String.join(
                                        "\n",
                                        "Starts the built distribution's processes (local HBase, a"
                                                + " message node, a comet, a web node; fresh data"
                                                + " under bench/target), subscribes N TCP clients"
                                                + " (one key and one device each), pushes at a"
                                                + " fixed rate through the web node's admin push"
                                                + " with the clients acking every message they"
                                                + " receive, and without acks, in the same run;"
                                                + " reports acks stored per second, the AckMany"
                                                + " batching and the CPU per ack over every"
                                                + " process. Exits 1 if a check failed (a refused"
                                                + " or lost ack, a cursor not at its device's"
                                                + " last mid), 2 on bad usage."),
                                "Progress goes to stderr, the report to stdout; the nodes' logs"
                                        + " stay in the data directory's logs/ (HBase's files are"
                                        + " removed after a run whose checks passed).")
                        .option(
                                "subscribers",
                                BenchArguments.number(1),
                                "10000",
                                "N",
                                "TCP subscribers, one key and one device each")
                        .option(
                                "rate",
                                BenchArguments.number(1),
                                "2000",
                                "R",
                                "admin pushes per second, to the keys in turn")
                        .option(
                                "rounds",
                                BenchArguments.number(1),
                                "2",
                                "N",
                                "rounds of both phases; odd rounds run acks off first, even ones"
                                        + " acks on first")
                        .option(
                                "prewarm",
                                BenchArguments.number(0),
                                "60",
                                "S",
                                "seconds of the load with acks before the first phase, not"
                                        + " measured (JIT, caches)")
                        .option(
                                "warmup",
                                BenchArguments.number(0),
                                "10",
                                "S",
                                "each phase's warm-up in seconds")
                        .option(
                                "measure",
                                BenchArguments.number(1),
                                "30",
                                "S",
                                "each phase's measured window in seconds")
                        .option(
                                "max-inflight",
                                BenchArguments.number(1),
                                "64",
                                "N",
                                "pushes in flight at most (keep-alive connections)")
                        .option(
                                "cursor-sample",
                                BenchArguments.number(1),
                                "500",
                                "N",
                                "keys whose cursors are checked after each phase with acks")
                        .distProcesses("run-ack-bench");
        Namespace flags = arguments.parse(args);
        return new AckBenchOptions(
                flags.getInt("subscribers"),
                flags.getInt("rate"),
                flags.getInt("rounds"),
                Duration.ofSeconds(flags.getInt("prewarm")),
                Duration.ofSeconds(flags.getInt("warmup")),
                Duration.ofSeconds(flags.getInt("measure")),
                flags.getInt("max_inflight"),
                Math.min(flags.getInt("cursor_sample"), flags.getInt("subscribers")),
                Path.of(flags.getString("dist")).toAbsolutePath().normalize());
    }
}
