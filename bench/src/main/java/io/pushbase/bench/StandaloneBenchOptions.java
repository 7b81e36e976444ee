package io.pushbase.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Settings of one standalone-benchmark run, from flags or {@code bench.<name>} system properties
 * (see {@link BenchFlags} and {@link #USAGE}).
 *
 * @param scenarios which scenarios run, in running order (a, b, d)
 * @param warmupCold a: load before the first measured window, counted from the banner
 * @param warmupWarm a: further load between the first (cold) and second (warm) window
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

    static final List<String> ALL_SCENARIOS = List.of("a", "b", "d");

    static final String DEFAULT_DIST = "dist/target/pushbase-0.1.0-SNAPSHOT";

    static final String USAGE =
            String.join(
                    "\n",
                    "Usage: bench/run-standalone-bench [options]",
                    "",
                    "Starts the built distribution's `bin/pushbase standalone` (fresh data under"
                            + " bench/target), drives it over",
                    "loopback as an app server and its clients do, stops it, and prints a Markdown"
                            + " report. Exits 1 if a",
                    "correctness check failed (or the run could not complete), 2 on bad usage.",
                    "",
                    "Scenarios:",
                    "  a  durable push, closed loop: N TCP subscribers, W keep-alive HTTP workers"
                            + " pushing (expire 600) to",
                    "     random subscribed keys; a cold window right after the banner, then a"
                            + " warm one; every acknowledged",
                    "     push must be delivered exactly once and stored under its delivered mid"
                            + " (a sample of keys pulled)",
                    "  b  open model: pushes at fixed offered rates, latency from the intended"
                            + " send time",
                    "  d  offline pull: 200 keys x 100 messages pre-filled, pulled at 1 and 8"
                            + " concurrent clients",
                    "",
                    "Options:",
                    "  --only LIST          scenarios to run, of a,b,d (default a,b,d; they run in"
                            + " that order)",
                    "  --warmup-cold N      a: seconds of load before the cold window (default 5)",
                    "  --warmup-warm N      a: seconds of further load between the cold and the"
                            + " warm window (default 60)",
                    "  --seconds N          each measured window: a's two, b per rate, d per"
                            + " client count (default 20)",
                    "  --rates LIST         b: offered pushes/s (default 1000,2000,4000); each"
                            + " rate also has 2 s of warm-up",
                    "  --subscribers N      a, b: keys, one TCP subscriber each (default 1000)",
                    "  --workers N          a: keep-alive HTTP push workers (default 20)",
                    "  --max-inflight N     b: most requests in flight (connections, opened as"
                            + " needed; later sends wait",
                    "                       for one, their wait counted in the latency; default"
                            + " 2000)",
                    "  --port-offset N      standalone's --port-offset (default 1000: web 9090/9091,"
                            + " comet TCP 7969)",
                    "  --dist DIR           the unpacked distribution (default "
                            + DEFAULT_DIST
                            + ";",
                    "                       bin/pushbase there is started; run-standalone-bench"
                            + " builds it when needed)",
                    "  --external           drive a standalone already running at --port-offset"
                            + " instead of starting one",
                    "  --pid PID            with --external: its launcher's pid, so the report"
                            + " has CPU and GC per process",
                    "  -h, --help           this text",
                    "",
                    "Each option may also be given as a system property: bench.seconds,"
                            + " bench.warmupCold, bench.portOffset, ...",
                    "Progress goes to stderr, the report to stdout; standalone's own logs are in"
                            + " its data directory's logs/.");

    static StandaloneBenchOptions parse(String[] args) throws BenchFlags.UsageException {
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("only", String.join(",", ALL_SCENARIOS));
        defaults.put("warmup-cold", "5");
        defaults.put("warmup-warm", "60");
        defaults.put("seconds", "20");
        defaults.put("rates", "1000,2000,4000");
        defaults.put("subscribers", "1000");
        defaults.put("workers", "20");
        defaults.put("max-inflight", "2000");
        defaults.put("port-offset", "1000");
        defaults.put("dist", DEFAULT_DIST);
        defaults.put("pid", "0");
        BenchFlags flags = BenchFlags.parse(args, defaults, Set.of("external"));
        boolean external = flags.isSet("external");
        long pid = flags.number("pid", 0);
        if (pid != 0 && !external) {
            throw new BenchFlags.UsageException("--pid is for --external only");
        }
        return new StandaloneBenchOptions(
                flags.subset("only", ALL_SCENARIOS),
                flags.seconds("warmup-cold", 0),
                flags.seconds("warmup-warm", 0),
                flags.seconds("seconds", 1),
                flags.numbers("rates", 1),
                (int) flags.number("subscribers", 1),
                (int) flags.number("workers", 1),
                (int) flags.number("max-inflight", 1),
                (int) flags.number("port-offset", 0),
                Path.of(flags.text("dist")).toAbsolutePath().normalize(),
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
