package io.pushbase.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import net.sourceforge.argparse4j.inf.ArgumentParserException;
import net.sourceforge.argparse4j.inf.Namespace;

/**
 * Settings of one standalone-benchmark run, from flags or {@code bench.<name>} system properties
 * ({@link BenchArguments}; {@code --help} lists them).
 *
 * @param scenarios which scenarios run, in running order (r, a, b, d)
 * @param warmupCold a and r: load before the first measured window, counted from the banner
 * @param warmupWarm a and r: further load between the first (cold) and second (warm) window
 * @param measure every measured window: a's two, each rate of b, each client count of d
 * @param rates b: offered pushes per second, one window each
 * @param subscribers a, b: keys, one TCP subscriber each
 * @param workers a: keep-alive HTTP connections pushing closed-loop (also d's pre-fill)
 * @param maxInflight b: connections, i.e. requests in flight at most
 * @param portOffset the standalone's port offset (started with it, or where an external one is)
 * @param dist the unpacked distribution whose {@code bin/pushbase} is started
 * @param external drive a standalone already running instead of starting one
 * @param pid the external standalone's launcher pid (0: unknown, CPU and GC not measured)
 */
record StandaloneBenchOptions(
        List<String> scenarios,
        Duration warmupCold,
        Duration warmupWarm,
        Duration measure,
        List<Integer> rates,
        int subscribers,
        int workers,
        int maxInflight,
        int portOffset,
        Path dist,
        boolean external,
        long pid) {

    /** Every scenario, in running order: r first, so that its cold window meets a cold server. */
    static final List<String> ALL_SCENARIOS = List.of("r", "a", "b", "d");

    /** What runs without {@code --only}: the scenarios of issue 11's load generator. */
    static final List<String> DEFAULT_SCENARIOS = List.of("a", "b", "d");

    static final String DEFAULT_DIST = "dist/target/pushbase-0.1.0-SNAPSHOT";

    static StandaloneBenchOptions parse(String[] args) throws ArgumentParserException {
        BenchArguments arguments =
                BenchArguments.of(
                                "bench/run-standalone-bench",
                                String.join(
                                        "\n",
                                        "Starts the built distribution's `bin/pushbase standalone`"
                                                + " (fresh data under bench/target), drives it over"
                                                + " loopback as an app server and its clients do,"
                                                + " stops it, and prints a Markdown report. Exits 1"
                                                + " if a correctness check failed (or the run could"
                                                + " not complete), 2 on bad usage.",
                                        "",
                                        "Scenarios:",
                                        "  a  durable push, closed loop: N TCP subscribers, W"
                                                + " keep-alive HTTP workers pushing",
                                        "     (expire 600) to random subscribed keys; a cold window"
                                                + " right after the banner,",
                                        "     then a warm one; every acknowledged push must be"
                                                + " delivered exactly once and",
                                        "     stored under its delivered mid (a sample of keys"
                                                + " pulled)",
                                        "  b  open model: pushes at fixed offered rates, latency"
                                                + " from the intended send time",
                                        "  d  offline pull: 200 keys x 100 messages pre-filled,"
                                                + " pulled at 1 and 8 concurrent clients",
                                        "  r  reconnects (only when asked): 8 clients each looking"
                                                + " a key up, then pulling it,",
                                        "     closed loop; a cold and a warm window as a's (run"
                                                + " first, so its cold window is the server's)"),
                                "Progress goes to stderr, the report to stdout; standalone's own"
                                        + " logs are in its data directory's logs/.")
                        .option(
                                "only",
                                BenchArguments.subset(ALL_SCENARIOS),
                                String.join(",", DEFAULT_SCENARIOS),
                                "LIST",
                                "scenarios to run, of r,a,b,d; they run in that order")
                        .option(
                                "warmup-cold",
                                BenchArguments.number(0),
                                "5",
                                "N",
                                "a, r: seconds of load before the cold window")
                        .option(
                                "warmup-warm",
                                BenchArguments.number(0),
                                "60",
                                "N",
                                "a, r: seconds of further load between the cold and the warm window")
                        .option(
                                "seconds",
                                BenchArguments.number(1),
                                "20",
                                "N",
                                "each measured window: a's and r's two, b per rate, d per client count")
                        .option(
                                "rates",
                                BenchArguments.numbers(1),
                                "1000,2000,4000",
                                "LIST",
                                "b: offered pushes/s; each rate also has 2 s of warm-up")
                        .option(
                                "subscribers",
                                BenchArguments.number(1),
                                "1000",
                                "N",
                                "a, b: keys, one TCP subscriber each")
                        .option(
                                "workers",
                                BenchArguments.number(1),
                                "20",
                                "N",
                                "a: keep-alive HTTP push workers")
                        .option(
                                "max-inflight",
                                BenchArguments.number(1),
                                "2000",
                                "N",
                                "b: most requests in flight (connections, opened as needed; later"
                                        + " sends wait for one, their wait counted in the"
                                        + " latency)")
                        .option(
                                "port-offset",
                                BenchArguments.number(0),
                                "1000",
                                "N",
                                "standalone's --port-offset (1000: web 9090/9091, comet TCP 7969)")
                        .option(
                                "dist",
                                (parser, argument, value) -> value,
                                DEFAULT_DIST,
                                "DIR",
                                "the unpacked distribution whose bin/pushbase is started;"
                                        + " run-standalone-bench builds it when needed")
                        .flag(
                                "external",
                                "drive a standalone already running at --port-offset instead of"
                                        + " starting one")
                        .option(
                                "pid",
                                BenchArguments.number(0),
                                "0",
                                "PID",
                                "with --external: its launcher's pid, so the report has CPU and GC"
                                        + " per process");
        Namespace flags = arguments.parse(args);
        boolean external = flags.getBoolean("external");
        long pid = flags.getInt("pid");
        if (pid != 0 && !external) {
            throw arguments.error("--pid is for --external only");
        }
        return new StandaloneBenchOptions(
                flags.getList("only"),
                Duration.ofSeconds(flags.getInt("warmup_cold")),
                Duration.ofSeconds(flags.getInt("warmup_warm")),
                Duration.ofSeconds(flags.getInt("seconds")),
                flags.getList("rates"),
                flags.getInt("subscribers"),
                flags.getInt("workers"),
                flags.getInt("max_inflight"),
                flags.getInt("port_offset"),
                Path.of(flags.getString("dist")).toAbsolutePath().normalize(),
                external,
                pid);
    }

    boolean runs(String scenario) {
        return scenarios.contains(scenario);
    }

    /** Whether the run needs subscribers (a and b push to subscribed keys). */
    boolean needsSubscribers() {
        return runs("a") || runs("b");
    }
}
