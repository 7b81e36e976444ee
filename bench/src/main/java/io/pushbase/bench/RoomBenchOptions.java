package io.pushbase.bench;

import java.nio.file.Path;
import java.util.List;
import net.sourceforge.argparse4j.inf.ArgumentParserException;
import net.sourceforge.argparse4j.inf.Namespace;

/**
 * {@code bench/run-room-bench}'s command line ({@link RoomFanoutBenchmark}).
 *
 * @param targets what is measured, in order: {@code pushbase}, {@code floor}
 * @param connections members of the one room (one TCP connection each)
 * @param rates room messages per second, one step each
 * @param warmupSeconds each step's warm-up (its messages are checked, not measured)
 * @param seconds each step's measured window
 * @param expire the room pushes' {@code expire}: above 0 each message is stored in the room's log
 *     before it is delivered; 0 delivers without storing (the fan-out alone)
 * @param dist the unpacked distribution whose processes are started
 */
record RoomBenchOptions(
        List<String> targets,
        int connections,
        List<Integer> rates,
        int warmupSeconds,
        int seconds,
        int expire,
        Path dist) {
    static final List<String> ALL_TARGETS = List.of("pushbase", "floor");

    static RoomBenchOptions parse(String[] args) throws ArgumentParserException {
        BenchArguments arguments =
                BenchArguments.of(
                                "bench/run-room-bench",
                                "Starts the built distribution's processes (local HBase, a message"
                                        + " node, one comet, a web node; fresh data under"
                                        + " bench/target), puts N TCP connections in one room,"
                                        + " pushes room messages at rising rates and measures"
                                        + " deliveries/s and publish->last-member latency; then"
                                        + " the same against a plain Netty server writing the same"
                                        + " frames (the floor), and prints a Markdown report with"
                                        + " the ratio. Exits 1 if a member missed a message, 2 on"
                                        + " bad usage.",
                                "Progress goes to stderr, the report to stdout; the nodes' logs"
                                        + " stay in the data directory's logs/.")
                        .option(
                                "only",
                                BenchArguments.subset(ALL_TARGETS),
                                String.join(",", ALL_TARGETS),
                                "LIST",
                                "what to measure, of pushbase,floor")
                        .option(
                                "connections",
                                BenchArguments.number(1),
                                "10000",
                                "N",
                                "members of the room (TCP connections)")
                        .option(
                                "rates",
                                BenchArguments.numbers(1),
                                "1,5,10,20",
                                "LIST",
                                "room messages per second, one step each")
                        .option(
                                "warmup",
                                BenchArguments.number(0),
                                "3",
                                "S",
                                "each step's warm-up in seconds")
                        .option(
                                "seconds",
                                BenchArguments.number(1),
                                "10",
                                "S",
                                "each step's measured window in seconds")
                        .option(
                                "expire",
                                BenchArguments.number(0),
                                "600",
                                "S",
                                "the room pushes' expire; 0 delivers without storing")
                        .distProcesses("run-room-bench");
        Namespace flags = arguments.parse(args);
        return new RoomBenchOptions(
                flags.getList("only"),
                flags.getInt("connections"),
                flags.getList("rates"),
                flags.getInt("warmup"),
                flags.getInt("seconds"),
                flags.getInt("expire"),
                Path.of(flags.getString("dist")).toAbsolutePath().normalize());
    }

    boolean runs(String target) {
        return targets.contains(target);
    }
}
