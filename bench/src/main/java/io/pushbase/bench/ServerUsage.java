package io.pushbase.bench;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * What the server's processes and this load generator used in one measured window: CPU time per
 * process (utime + stime, {@link CpuUsage}), GC pause and JIT compilation time per process ({@link
 * HotSpotCounters}), context switches per process ({@link ContextSwitches}), and a line with the
 * cores each used and the rest of the machine (flagged when other load disturbed the window).
 * Immutable.
 *
 * @param serverCpuNanos CPU time per server process, in report order (empty: processes unknown)
 * @param loadGeneratorCpuNanos CPU time of this JVM, -1 when unknown
 * @param gcNanos GC pause time per server process (unknown ones left out)
 * @param jitNanos JIT compilation time per server process (unknown ones left out)
 * @param switches context switches per server process (unknown ones left out)
 */
record ServerUsage(
        Map<String, Long> serverCpuNanos,
        long loadGeneratorCpuNanos,
        Map<String, Long> gcNanos,
        Map<String, Long> jitNanos,
        Map<String, Long> switches,
        String cpuLine) {

    /** One row of {@link #appendTables}: a label, its window's usage, operations done in it. */
    record Row(String label, ServerUsage usage, long operations) {}

    /**
     * Reads the server's counters at a window's start and end ({@link ClosedLoop.Window}): called
     * on the load's thread (or its marks' thread), read on the main thread after the load returned.
     */
    static final class Window implements ClosedLoop.Window {
        private final ServerProcesses processes;
        private volatile ServerProcesses.Snapshot start;
        private volatile ServerProcesses.Snapshot end;
        private volatile long startNanos;
        private volatile long endNanos;

        Window(ServerProcesses processes) {
            this.processes = processes;
        }

        @Override
        public void started() {
            start = processes.snapshot();
            startNanos = System.nanoTime();
        }

        @Override
        public void ended() {
            endNanos = System.nanoTime();
            end = processes.snapshot();
        }

        /** When the window started, on {@link System#nanoTime()}. */
        long startNanos() {
            return startNanos;
        }

        long endNanos() {
            return endNanos;
        }

        ServerUsage usage() {
            return new ServerUsage(
                    end.cpu().childNanosSince(start.cpu()),
                    end.cpu().ownNanosSince(start.cpu()),
                    end.gcNanosSince(start),
                    end.jitNanosSince(start),
                    end.switchesSince(start),
                    end.cpu().since(start.cpu()).replace("this JVM", "load generator"));
        }
    }

    long serverCpuTotal() {
        return serverCpuNanos.values().stream().mapToLong(Long::longValue).sum();
    }

    /** CPU ms of all server processes per operation, "—" when unknown. */
    String serverCpuPer(long operations) {
        return perOperation(serverCpuTotal(), operations);
    }

    /**
     * Three Markdown tables over {@code rows}: CPU per operation ({@code unit}) of all server
     * processes together, of each, and of the load generator; context switches per operation, of
     * all server processes and of each; then GC pause time and JIT compilation time per server
     * process in the window (a window with seconds of compiling measured the compilers too).
     */
    static void appendTables(StringBuilder out, String rowTitle, List<Row> rows, String unit) {
        Set<String> names = new LinkedHashSet<>();
        rows.forEach(r -> names.addAll(r.usage().serverCpuNanos().keySet()));
        if (names.isEmpty()) {
            out.append(
                    "\nCPU and GC of the server's processes: not measured (an external server"
                            + " without --pid).\n");
            return;
        }
        out.append("\nCPU per ").append(unit).append(" (ms), by process:\n\n");
        header(out, rowTitle, names, "all server processes", "load generator");
        for (Row row : rows) {
            ServerUsage u = row.usage();
            out.append("| ").append(row.label()).append(" | ");
            out.append(u.serverCpuPer(row.operations())).append(" |");
            for (String name : names) {
                out.append(' ')
                        .append(u.perOperation(u.serverCpuNanos().get(name), row.operations()))
                        .append(" |");
            }
            out.append(' ')
                    .append(u.perOperation(u.loadGeneratorCpuNanos(), row.operations()))
                    .append(" |\n");
        }
        out.append("\nContext switches per ").append(unit).append(", by process:\n\n");
        header(out, rowTitle, names, "all server processes", null);
        for (Row row : rows) {
            Map<String, Long> switches = row.usage().switches();
            out.append("| ").append(row.label()).append(" | ");
            out.append(count(total(switches, names), row.operations())).append(" |");
            for (String name : names) {
                out.append(' ').append(count(switches.get(name), row.operations())).append(" |");
            }
            out.append('\n');
        }
        millisTable(out, "GC pauses", rowTitle, names, rows, ServerUsage::gcNanos);
        millisTable(out, "JIT compilation", rowTitle, names, rows, ServerUsage::jitNanos);
    }

    /** A table of {@code what} in the window, in ms per process ("—" where unknown). */
    private static void millisTable(
            StringBuilder out,
            String what,
            String rowTitle,
            Set<String> names,
            List<Row> rows,
            Function<ServerUsage, Map<String, Long>> nanos) {
        out.append('\n').append(what).append(" in the window (ms), by process:\n\n");
        header(out, rowTitle, names, null, null);
        for (Row row : rows) {
            out.append("| ").append(row.label()).append(" |");
            for (String name : names) {
                Long n = nanos.apply(row.usage()).get(name);
                out.append(' ')
                        .append(n == null ? "—" : String.format(Locale.ROOT, "%.1f", n / 1e6))
                        .append(" |");
            }
            out.append('\n');
        }
    }

    private static void header(
            StringBuilder out, String rowTitle, Set<String> names, String first, String last) {
        List<String> columns = new ArrayList<>();
        columns.add(rowTitle);
        if (first != null) {
            columns.add(first);
        }
        columns.addAll(names);
        if (last != null) {
            columns.add(last);
        }
        StandaloneReport.header(out, columns);
    }

    /** The sum over {@code names}, null when any of them is unknown. */
    private static Long total(Map<String, Long> values, Set<String> names) {
        long sum = 0;
        for (String name : names) {
            Long v = values.get(name);
            if (v == null) {
                return null;
            }
            sum += v;
        }
        return sum;
    }

    /** A count per operation to one decimal; "—" when unknown. */
    private static String count(Long n, long operations) {
        if (n == null || n < 0 || operations <= 0) {
            return "—";
        }
        return String.format(Locale.ROOT, "%.1f", (double) n / operations);
    }

    /** CPU ms per operation; "—" when unknown (no process data, no operations). */
    private String perOperation(Long nanos, long operations) {
        if (nanos == null || nanos < 0 || operations <= 0 || serverCpuNanos.isEmpty()) {
            return "—";
        }
        return String.format(Locale.ROOT, "%.3f", nanos / 1e6 / operations);
    }
}
