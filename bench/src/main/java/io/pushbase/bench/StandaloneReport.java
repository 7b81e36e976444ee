package io.pushbase.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The standalone benchmark's results as Markdown on stdout: per scenario a table of rates and
 * latencies, CPU per operation and GC pauses per server process, the correctness checks, then the
 * server's processes and the machine; and the list of failed checks that decides the exit code.
 * Filled by the benchmark as scenarios finish, printed once; used on the main thread only.
 */
final class StandaloneReport {
    /**
     * One of scenario a's windows: the HTTP side, publish→receive latency and usage; {@code from}
     * and {@code to} in seconds after the server's banner (an external server: after the
     * benchmark's start).
     */
    record PushWindow(
            String name,
            double from,
            double to,
            ClosedLoop.Result http,
            Histogram receiveMicros,
            ServerUsage usage) {

        String label() {
            return String.format(Locale.ROOT, "%s: %.0f–%.0f s", name, from, to);
        }
    }

    /**
     * Scenario a: its windows, and the checks over all its pushes.
     *
     * @param webStored pushes the web node stored itself because their comet failed them
     *     (acknowledged, never delivered live); -1 when unknown
     */
    record PushScenario(
            List<PushWindow> windows,
            PushLedger.Delivery delivery,
            StoreCheck.Result stored,
            long webStored,
            long reconnects) {}

    /** One offered rate of scenario b; {@code webStored} as in {@link PushScenario}. */
    record RateRow(
            OpenLoop.Result result,
            Histogram receiveMicros,
            PushLedger.Delivery delivery,
            StoreCheck.Result stored,
            long webStored,
            ServerUsage usage,
            long connectionsOpened) {}

    /**
     * One closed-loop window of d (a client count, {@code label} "1 client") or r ("cold: 5–25 s"):
     * its result and the server's usage in it.
     */
    record LoopRow(String label, ClosedLoop.Result result, ServerUsage usage) {}

    /** The latency columns of b and d, and the percentiles that fill them (100: the maximum). */
    private static final List<String> LATENCY_COLUMNS =
            List.of("p50 (ms)", "p99 (ms)", "p99.9 (ms)", "max (ms)");

    private static final double[] LATENCY_PERCENTILES = {50, 99, 99.9, 100};

    private final StandaloneBenchOptions options;
    private final List<String> failures = new ArrayList<>();
    private StandaloneServer server;
    private Path data;
    private double startSeconds = -1;
    private PushScenario push;
    private final List<RateRow> rates = new ArrayList<>();
    private final List<LoopRow> pulls = new ArrayList<>();
    private final List<LoopRow> reconnects = new ArrayList<>();
    private double prefillSeconds = -1;
    private long prefillFailed;
    private long subscribersClosed = -1;
    private long subscriberErrors;

    StandaloneReport(StandaloneBenchOptions options) {
        this.options = options;
    }

    /**
     * The server under test; {@code data} its data directory (null: external), {@code startSeconds}
     * how long it took to print its banner (-1: external).
     */
    void server(StandaloneServer server, Path data, double startSeconds) {
        this.server = server;
        this.data = data;
        this.startSeconds = startSeconds;
    }

    void push(PushScenario scenario) {
        push = scenario;
        if (scenario.delivery().failures() > 0) {
            failures.add(
                    "a: delivery ("
                            + delivery(scenario.delivery())
                            + webStored(scenario.webStored())
                            + ")");
        }
        if (scenario.stored().failures() > 0) {
            failures.add("a: store check (" + stored(scenario.stored()) + ")");
        }
    }

    void rate(RateRow row) {
        rates.add(row);
        PushLedger.Delivery d = row.delivery();
        long lost = d.missing() + d.duplicates() + d.wrongKey() + d.malformed();
        if (lost > 0) {
            failures.add(
                    String.format(
                            Locale.ROOT,
                            "b at %d/s: %d acknowledged pushes not delivered, %d duplicates, %d to"
                                    + " the wrong key, %d unreadable frames%s",
                            row.result().rate(),
                            d.missing(),
                            d.duplicates(),
                            d.wrongKey(),
                            d.malformed(),
                            webStored(row.webStored())));
        }
        if (row.stored().failures() > 0) {
            failures.add(
                    "b at "
                            + row.result().rate()
                            + "/s: store check ("
                            + stored(row.stored())
                            + webStored(row.webStored())
                            + ")");
        }
    }

    void subscribersClosed(long closed, long errorReplies) {
        subscribersClosed = closed;
        subscriberErrors = errorReplies;
        if (closed > 0 || errorReplies > 0) {
            failures.add(
                    "subscribers: "
                            + closed
                            + " closed by the server, "
                            + errorReplies
                            + " error replies");
        }
    }

    void prefill(double seconds, long failed) {
        prefillSeconds = seconds;
        prefillFailed = failed;
        if (failed > 0) {
            failures.add("d: " + failed + " pre-fill pushes failed");
        }
    }

    void pull(LoopRow row) {
        pulls.add(row);
        loopFailures("d at " + row.label(), row, "pulls");
    }

    void reconnect(LoopRow row) {
        reconnects.add(row);
        loopFailures("r, " + row.label(), row, "reconnects");
    }

    private void loopFailures(String where, LoopRow row, String what) {
        ClosedLoop.Result r = row.result();
        if (r.errors() + r.warmupErrors() > 0) {
            failures.add(
                    where + ": " + (r.errors() + r.warmupErrors()) + " wrong or failed " + what);
        }
    }

    void exited(List<String> names) {
        if (!names.isEmpty()) {
            failures.add("server processes exited during the run: " + names);
        }
    }

    /** The checks that failed; empty when the run is correct. */
    List<String> failures() {
        return List.copyOf(failures);
    }

    void print(double seconds) {
        StringBuilder out = new StringBuilder();
        out.append("\n## Standalone as users run it (`bench/run-standalone-bench`)\n\n");
        out.append(
                server.started()
                        ? "`"
                                + options.dist()
                                + "/bin/pushbase standalone --data "
                                + data
                                + " --port-offset "
                                + options.portOffset()
                                + "`, started by the benchmark"
                        : "An external standalone at port offset " + options.portOffset());
        if (startSeconds >= 0) {
            out.append(
                    String.format(Locale.ROOT, " (banner %.1f s after the start)", startSeconds));
        }
        out.append(String.format(Locale.ROOT, "; the run took %.0f s.%n", seconds));
        if (!reconnects.isEmpty()) {
            reconnectSection(out);
        }
        if (push != null) {
            pushSection(out);
        }
        if (!rates.isEmpty()) {
            rateSection(out);
        }
        if (!pulls.isEmpty()) {
            pullSection(out);
        }
        out.append("\n### Checks\n\n");
        if (subscribersClosed >= 0) {
            out.append(
                    String.format(
                            Locale.ROOT,
                            "- Subscribers closed by the server: %d; error replies: %d%n",
                            subscribersClosed,
                            subscriberErrors));
        }
        out.append(
                failures.isEmpty()
                        ? "- **All checks passed.**\n"
                        : "- **FAILED**: " + String.join("; ", failures) + "\n");
        processesSection(out);
        out.append("\n### Machine\n\n");
        List<String> machine =
                data == null ? MachineInfo.describe() : MachineInfo.describe(data.resolve("hbase"));
        for (String line : machine) {
            out.append("- ").append(line.replace("Java:", "Java (load generator):")).append('\n');
        }
        out.append(
                "- Load generator: this JVM, one NIO selector thread for the HTTP connections and"
                        + " one for the subscribers, loopback; it shares the cores with the"
                        + " server\n");
        System.out.print(out);
    }

    // ---- a -------------------------------------------------------------------------------

    private void pushSection(StringBuilder out) {
        out.append(
                String.format(
                        Locale.ROOT,
                        "%n### a. Durable push, closed loop (%,d TCP subscribers, %d keep-alive"
                                + " HTTP workers)%n%n",
                        options.subscribers(),
                        options.workers()));
        header(
                out,
                List.of(
                        "Window",
                        "pushes/s",
                        "HTTP p50 (ms)",
                        "HTTP p99 (ms)",
                        "HTTP p99.9 (ms)",
                        "push→receive p50 (ms)",
                        "push→receive p99 (ms)",
                        "errors",
                        "server CPU per push (ms)"));
        List<ServerUsage.Row> usage = new ArrayList<>();
        for (PushWindow w : push.windows()) {
            ClosedLoop.Result r = w.http();
            out.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %,.0f | %s | %s | %s | %s |%n",
                            w.label(),
                            r.callsPerSecond(),
                            percentiles(r.latencyMicros(), 50, 99, 99.9),
                            percentiles(w.receiveMicros(), 50, 99),
                            errors(r.errors(), r.warmupErrors()),
                            w.usage().serverCpuPer(r.calls())));
            usage.add(new ServerUsage.Row(w.label(), w.usage(), r.calls()));
        }
        out.append(
                "\npushes/s: pushes answered `{\"ret\":0}` in the window per second. HTTP"
                        + " latency: request written to answer read. push→receive: from writing"
                        + " the push request to its frame arriving at the subscriber, for"
                        + " acknowledged pushes sent in the window. Errors: other answers or"
                        + " failures in the window (+ outside it). Windows in seconds after "
                        + (server.started() ? "the banner" : "the benchmark started")
                        + ".\n");
        ServerUsage.appendTables(out, "Window", usage, "push");
        out.append("\n");
        for (PushWindow w : push.windows()) {
            out.append("- ").append(w.label()).append(": ").append(w.usage().cpuLine());
            out.append('\n');
            problems(out, w.http().problems());
        }
        out.append("- HTTP reconnections: ").append(push.reconnects()).append('\n');
        out.append("- Delivery (all pushes of a, warm-ups included): ")
                .append(delivery(push.delivery()))
                .append(webStored(push.webStored()))
                .append('\n');
        out.append("- Store check: ").append(stored(push.stored())).append('\n');
        push.stored().examples().forEach(e -> out.append("  - ").append(e).append('\n'));
    }

    private static String delivery(PushLedger.Delivery d) {
        return String.format(
                Locale.ROOT,
                "%,d acknowledged, %,d delivered; missing %d, duplicates %d, delivered without"
                        + " acknowledgement %d, to the wrong key %d, unreadable frames %d",
                d.acked(),
                d.delivered(),
                d.missing(),
                d.duplicates(),
                d.unacked(),
                d.wrongKey(),
                d.malformed());
    }

    /**
     * The web node's fallback count, worth printing when not 0: it explains acknowledged pushes
     * that were not delivered (their comet failed them) or were stored twice (their comet answered
     * after the web node's timeout, and stored and delivered them as well).
     */
    private static String webStored(long pushes) {
        return pushes <= 0
                ? ""
                : "; "
                        + pushes
                        + " pushes stored by the web node itself because their comet failed or"
                        + " did not answer in time (web.push.fallback)";
    }

    private static String stored(StoreCheck.Result s) {
        return String.format(
                Locale.ROOT,
                "%d keys pulled (m=0), %,d acknowledged pushes expected (each key's newest %d);"
                        + " missing %d, stored under another mid than delivered %d, stored again"
                        + " under another mid %d, out of order %d, not pushed to that key by this"
                        + " run %d, failed pulls %d",
                s.keys(),
                s.expected(),
                StoreCheck.STORE_CAP,
                s.missing(),
                s.midMismatch(),
                s.storedTwice(),
                s.unordered(),
                s.unknown(),
                s.pullErrors());
    }

    // ---- b -------------------------------------------------------------------------------

    private void rateSection(StringBuilder out) {
        out.append(
                String.format(
                        Locale.ROOT,
                        "%n### b. Open model (%,d TCP subscribers, at most %,d requests in"
                                + " flight)%n%n",
                        options.subscribers(),
                        options.maxInflight()));
        header(
                out,
                List.of("Offered (/s)", "sent (/s)", "achieved (/s)"),
                LATENCY_COLUMNS,
                List.of(
                        "errors",
                        "push→receive p99 (ms)",
                        "not delivered",
                        "most queued",
                        "server CPU per push (ms)"));
        List<ServerUsage.Row> usage = new ArrayList<>();
        for (RateRow row : rates) {
            OpenLoop.Result r = row.result();
            out.append(
                    String.format(
                            Locale.ROOT,
                            "| %,d | %,.0f | %,.0f | %s | %s | %s | %d | %,d | %s |%n",
                            r.rate(),
                            r.offeredPerSecond(),
                            r.achievedPerSecond(),
                            percentiles(r.latencyMicros(), LATENCY_PERCENTILES),
                            errors(r.errors(), r.otherErrors()),
                            percentiles(row.receiveMicros(), 99),
                            row.delivery().missing(),
                            r.maxQueued(),
                            row.usage().serverCpuPer(r.okCompletedInWindow())));
            usage.add(
                    new ServerUsage.Row(
                            String.format(Locale.ROOT, "%,d/s", r.rate()),
                            row.usage(),
                            r.okCompletedInWindow()));
        }
        out.append(
                "\nsent: pushes whose intended send time lies in the window, per second."
                        + " achieved: `{\"ret\":0}` answers that arrived in the window, per"
                        + " second. Latency: from the intended send time to the answer (a push"
                        + " waiting for a free connection waits on its own clock), answered"
                        + " pushes of the window. Errors: other answers, failures and timeouts"
                        + " (30 s) of the window's pushes (+ of the warm-up's). push→receive:"
                        + " intended send time to"
                        + " arrival at the subscriber. Not delivered: acknowledged but never"
                        + " received. Most queued: most pushes waiting for a connection at"
                        + " once. CPU per achieved push. After each rate "
                        + StandaloneBenchmark.STORE_SAMPLE
                        + " keys are pulled and checked as in a (its pushes only).\n");
        ServerUsage.appendTables(out, "Offered", usage, "push");
        out.append("\n");
        for (RateRow row : rates) {
            out.append(
                    String.format(
                            Locale.ROOT,
                            "- %,d/s: %s; connections opened %d; last answer %.1f s after the"
                                    + " window%s%n  - store check: %s%n",
                            row.result().rate(),
                            row.usage().cpuLine(),
                            row.connectionsOpened(),
                            row.result().drainedSeconds(),
                            webStored(row.webStored()),
                            stored(row.stored())));
            row.stored().examples().forEach(e -> out.append("    - ").append(e).append('\n'));
            problems(out, row.result().problems());
        }
    }

    // ---- d -------------------------------------------------------------------------------

    private void pullSection(StringBuilder out) {
        out.append(
                String.format(
                        Locale.ROOT,
                        "%n### d. Offline pull (%d keys x %d messages)%n%n",
                        StandaloneBenchmark.PULL_KEYS,
                        StandaloneBenchmark.PULL_MESSAGES));
        out.append(
                String.format(
                        Locale.ROOT,
                        "Pre-filled through the admin push (expire %d s, %d workers) in %.1f s,"
                                + " %d failed.%n%n",
                        StandaloneBenchmark.EXPIRE_SECONDS,
                        options.workers(),
                        prefillSeconds,
                        prefillFailed));
        loopTable(
                out,
                "Clients",
                "pull",
                pulls,
                "pulls/s: answers with `ret 0` and exactly "
                        + StandaloneBenchmark.PULL_MESSAGES
                        + " messages in ascending mid order, per second of the window (each"
                        + " client one request at a time). Bad answers: anything else (+ during"
                        + " warm-up).");
    }

    // ---- r -------------------------------------------------------------------------------

    private void reconnectSection(StringBuilder out) {
        out.append(
                String.format(
                        Locale.ROOT,
                        "%n### r. Reconnects: lookup, then pull (%d clients, %,d keys)%n%n",
                        StandaloneBenchmark.RECONNECT_CLIENTS,
                        StandaloneBenchmark.RECONNECT_KEYS));
        loopTable(
                out,
                "Window",
                "reconnect",
                reconnects,
                "reconnects/s: a lookup (`/1/server/get?k=K&p=2`) answered with the comet's TCP"
                        + " address, then a pull of the same key (`/1/msg/get?k=K&m=0`, an empty"
                        + " mailbox) answered `{\"ret\":0}`, per second of the window (each client"
                        + " one reconnect at a time; latency: both requests). Times from the"
                        + " banner. Bad answers: anything else (+ during warm-up).");
    }

    /** A table of closed-loop windows (d, r): rate, latency, bad answers and server usage. */
    private static void loopTable(
            StringBuilder out, String rowTitle, String unit, List<LoopRow> rows, String note) {
        header(
                out,
                List.of(rowTitle, unit + "s/s"),
                LATENCY_COLUMNS,
                List.of("bad answers", "server CPU per " + unit + " (ms)"));
        List<ServerUsage.Row> usage = new ArrayList<>();
        for (LoopRow row : rows) {
            ClosedLoop.Result r = row.result();
            out.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %,.0f | %s | %s | %s |%n",
                            row.label(),
                            r.callsPerSecond(),
                            percentiles(r.latencyMicros(), LATENCY_PERCENTILES),
                            errors(r.errors(), r.warmupErrors()),
                            row.usage().serverCpuPer(r.calls())));
            usage.add(new ServerUsage.Row(row.label(), row.usage(), r.calls()));
        }
        out.append('\n').append(note).append('\n');
        ServerUsage.appendTables(out, rowTitle, usage, unit);
        out.append("\n");
        for (LoopRow row : rows) {
            out.append("- ").append(row.label()).append(": ").append(row.usage().cpuLine());
            out.append('\n');
            problems(out, row.result().problems());
        }
    }

    // ---- shared --------------------------------------------------------------------------

    private void processesSection(StringBuilder out) {
        List<ServerProcesses.Member> members = server.processes().members();
        if (members.isEmpty()) {
            return;
        }
        out.append("\n### Server processes\n\n| Process | pid | JVM options |\n|---|---:|---|\n");
        for (ServerProcesses.Member m : members) {
            out.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %d | `%s` |%n",
                            m.name(),
                            m.pid(),
                            m.jvmOptions().isEmpty() ? "(none)" : m.jvmOptions()));
        }
    }

    private static void problems(StringBuilder out, Map<String, Long> problems) {
        problems.forEach(
                (p, n) -> out.append("  - ").append(n).append(" x ").append(p).append('\n'));
    }

    private static String errors(long inWindow, long outside) {
        return inWindow + (outside > 0 ? " (+" + outside + ")" : "");
    }

    /**
     * A Markdown table's header, its columns given in groups: the first column (the row's name)
     * left-aligned, the numbers right.
     */
    @SafeVarargs
    static void header(StringBuilder out, List<String>... groups) {
        List<String> columns = new ArrayList<>();
        for (List<String> group : groups) {
            columns.addAll(group);
        }
        out.append("| ").append(String.join(" | ", columns)).append(" |\n|---|");
        out.append("---:|".repeat(columns.size() - 1)).append('\n');
    }

    /** Table cells of {@code micros}' percentiles in ms (100: the maximum), " | " between. */
    private static String percentiles(Histogram micros, double... percentiles) {
        List<String> cells = new ArrayList<>();
        for (double p : percentiles) {
            cells.add(StoreBenchmark.millis(micros.getValueAtPercentile(p)));
        }
        return String.join(" | ", cells);
    }
}
