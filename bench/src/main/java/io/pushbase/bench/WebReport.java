package io.pushbase.bench;

import io.pushbase.bench.ClosedLoop.Result;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;

/**
 * The web-node benchmark's results as Markdown on stdout: one table row per scenario, the notes of
 * each (CPU per process, load, reconnections, checks, errors), the targets of issue 4 met or
 * missed, and the machine.
 */
final class WebReport {
    /** Target of issue 4: pull p99 at most this, in microseconds. */
    static final long PULL_P99_TARGET_MICROS = 5_000;

    /** Target of issue 4: pushes per second through one web node. */
    static final double PUSH_RATE_TARGET = 10_000;

    /** One scenario's result and what else happened meanwhile. */
    record Row(Result result, String notes) {
        boolean isPull() {
            return result.scenario().startsWith("Pull");
        }

        boolean isPushViaComet() {
            return result.scenario().equals(WebBenchmark.PUSH_VIA_COMET);
        }
    }

    private final WebOptions options;
    private final Path dataDir;
    private final String webFlags;
    private final long pullsParsed;

    WebReport(WebOptions options, Path dataDir, String webFlags, long pullsParsed) {
        this.options = options;
        this.dataDir = dataDir;
        this.webFlags = webFlags;
        this.pullsParsed = pullsParsed;
    }

    /** Logs a row as progress (stderr). */
    static void log(Logger log, Row row) {
        Result r = row.result();
        Histogram h = r.latencyMicros();
        log.info(
                "{} x{}: {} req/s, p50 {} / p99 {} / p99.9 {} / max {} ms, errors {} (+{} outside"
                        + " the window); {}",
                r.scenario(),
                r.callers(),
                String.format(Locale.ROOT, "%.0f", r.callsPerSecond()),
                StoreBenchmark.millis(h.getValueAtPercentile(50)),
                StoreBenchmark.millis(h.getValueAtPercentile(99)),
                StoreBenchmark.millis(h.getValueAtPercentile(99.9)),
                StoreBenchmark.millis(h.getMaxValue()),
                r.errors(),
                r.warmupErrors(),
                row.notes());
        r.problems().forEach((problem, n) -> log.warn("  {} x {}", n, problem));
    }

    void print(List<Row> rows, double seconds) {
        StringBuilder out = new StringBuilder();
        out.append("\n## Web node benchmark\n\n");
        out.append(
                String.format(
                        Locale.ROOT,
                        "Closed loop over HTTP/1.1 keep-alive connections (one request outstanding"
                                + " per connection); pre-warm %d s, then per scenario warm-up %d s"
                                + " and measured %d s; %d pull keys with %d messages each, pushes"
                                + " over %d keys; run took %.0f s.%n%n",
                        options.prewarm().toSeconds(),
                        options.warmup().toSeconds(),
                        options.measure().toSeconds(),
                        options.pullKeys(),
                        WebBenchmark.PULL_MESSAGES,
                        options.pushKeys(),
                        seconds));
        out.append(
                "| Scenario | Connections | req/s | p50 (ms) | p99 (ms) | p99.9 (ms) | max (ms) |"
                        + " Errors |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row row : rows) {
            Result r = row.result();
            Histogram h = r.latencyMicros();
            out.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %d | %,.0f | %s | %s | %s | %s | %s |%n",
                            r.scenario(),
                            r.callers(),
                            r.callsPerSecond(),
                            StoreBenchmark.millis(h.getValueAtPercentile(50)),
                            StoreBenchmark.millis(h.getValueAtPercentile(99)),
                            StoreBenchmark.millis(h.getValueAtPercentile(99.9)),
                            StoreBenchmark.millis(h.getMaxValue()),
                            r.errors()
                                    + (r.warmupErrors() > 0
                                            ? " (+" + r.warmupErrors() + ")"
                                            : "")));
        }
        out.append(
                "\nreq/s: requests answered correctly (HTTP 200, ret 0, a pull with exactly "
                        + WebBenchmark.PULL_MESSAGES
                        + " messages) per second of the measured window. Latency: per request,"
                        + " from writing it to reading the whole answer (HdrHistogram, µs"
                        + " precision), errors included. Errors: wrong or failed answers in the"
                        + " window (+ during warm-up and drain).\n\n");
        for (Row row : rows) {
            out.append(
                    String.format(
                            Locale.ROOT,
                            "- %s x%d: %s.%n",
                            row.result().scenario(),
                            row.result().callers(),
                            row.notes()));
            row.result()
                    .problems()
                    .forEach(
                            (problem, n) ->
                                    out.append("  - ")
                                            .append(n)
                                            .append(" x ")
                                            .append(problem)
                                            .append('\n'));
        }
        out.append("- Pull answers also parsed as JSON (mids ascending): ")
                .append(pullsParsed)
                .append('\n');
        targets(out, rows);
        out.append("\nMachine:\n\n");
        for (String line : MachineInfo.describe(dataDir)) {
            out.append("- ").append(line).append('\n');
        }
        out.append("- Web node and comet: child JVMs, ")
                .append(String.join(" ", WebCluster.CHILD_JVM_FLAGS))
                .append("; the web node's VM.flags: `")
                .append(webFlags)
                .append("`\n");
        out.append(
                "- Load generator: one NIO selector thread in the benchmark JVM, loopback; the"
                        + " benchmark JVM also runs the HBase mini cluster, the message node and"
                        + " ZooKeeper\n");
        System.out.print(out);
    }

    private static void targets(StringBuilder out, List<Row> rows) {
        out.append("\nTargets (issue 4):\n\n");
        for (Row row : rows) {
            if (row.isPull()) {
                long p99 = row.result().latencyMicros().getValueAtPercentile(99);
                out.append(
                        String.format(
                                Locale.ROOT,
                                "- pull p99 <= 5 ms at %d connections: %s ms, %s%n",
                                row.result().callers(),
                                StoreBenchmark.millis(p99),
                                p99 <= PULL_P99_TARGET_MICROS ? "met" : "MISSED"));
            }
        }
        rows.stream()
                .filter(Row::isPushViaComet)
                .mapToDouble(r -> r.result().callsPerSecond())
                .max()
                .ifPresent(
                        best ->
                                out.append(
                                        String.format(
                                                Locale.ROOT,
                                                "- >= 10,000 pushes/s through one web node: best"
                                                        + " %,.0f/s, %s%n",
                                                best,
                                                best >= PUSH_RATE_TARGET ? "met" : "MISSED")));
    }
}
