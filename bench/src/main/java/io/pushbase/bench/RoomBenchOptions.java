package io.pushbase.bench;

import java.nio.file.Path;
import java.util.List;
import net.sourceforge.argparse4j.inf.ArgumentParserException;
import net.sourceforge.argparse4j.inf.Namespace;

/**
 * {@code bench/run-room-bench}'s command line ({@link RoomFanoutBenchmark}).
 *
 * @param targets what is measured, in order: {@code pushbase}, {@code floor}
 * @param broadcast whether the messages are broadcasts ({@code --target all}: {@code POST
 *     /1/admin/push/all} to plain subscribers of distinct keys, in no room) rather than room pushes
 *     to the members of one room ({@code --target room})
 * @param connections members of the one room, or subscribers of the broadcast (one TCP connection
 *     each)
 * @param rates messages per second, one step each
 * @param warmupSeconds each step's warm-up (its messages are checked, not measured)
 * @param seconds each step's measured window
 * @param expire the room pushes' {@code expire}: above 0 each message is stored in the room's log
 *     before it is delivered; 0 delivers without storing (the fan-out alone)
 * @param dist the unpacked distribution whose processes are started
 */
record RoomBenchOptions(
        List<String> targets,
        boolean broadcast,
        int connections,
        List<Integer> rates,
        int warmupSeconds,
        int seconds,
        int expire,
        Path dist) {
    static final List<String> ALL_TARGETS = List.of("pushbase", "floor");
    static final int ROOM_CONNECTIONS = 10_000;
    static final int ALL_CONNECTIONS = 15_000;

    static RoomBenchOptions parse(String[] args) throws ArgumentParserException {
        BenchArguments arguments =
                BenchArguments.of(
                                "bench/run-room-bench",
                                "Starts the built distribution's processes (local HBase, a message"
                                        + " node, one comet, a web node; fresh data under"
                                        + " bench/target), puts N TCP connections in one room"
                                        + " (--target room) or subscribes N connections of"
                                        + " distinct keys in no room (--target all), pushes room"
                                        + " messages or broadcasts at rising rates and measures"
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
                                "target",
                                (parser, argument, value) -> {
                                    if (!value.equals("room") && !value.equals("all")) {
                                        throw new ArgumentParserException(
                                                "takes room or all, got '" + value + "'",
                                                parser,
                                                argument);
                                    }
                                    return value;
                                },
                                "room",
                                "room|all",
                                "room: room pushes (POST /1/admin/push/room) to the members of"
                                        + " one room; all: broadcasts (POST /1/admin/push/all,"
                                        + " spread 0) to subscribers of distinct keys in no room")
                        .option(
                                "connections",
                                (parser, argument, value) ->
                                        value.equals("auto")
                                                ? 0
                                                : BenchArguments.number(1)
                                                        .convert(parser, argument, value),
                                "auto",
                                "N",
                                "TCP connections: the room's members or the broadcast's"
                                        + " subscribers; auto is "
                                        + ROOM_CONNECTIONS
                                        + " for room, "
                                        + ALL_CONNECTIONS
                                        + " for all")
                        .option(
                                "rates",
                                BenchArguments.numbers(1),
                                "1,5,10,20",
                                "LIST",
                                "messages per second, one step each")
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
                                "the pushes' expire; 0 delivers without storing")
                        .distProcesses("run-room-bench");
        Namespace flags = arguments.parse(args);
        boolean broadcast = flags.getString("target").equals("all");
        int connections = flags.getInt("connections");
        return new RoomBenchOptions(
                flags.getList("only"),
                broadcast,
                connections > 0 ? connections : broadcast ? ALL_CONNECTIONS : ROOM_CONNECTIONS,
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
