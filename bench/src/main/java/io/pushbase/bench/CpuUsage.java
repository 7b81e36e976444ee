package io.pushbase.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CPU used by this JVM, by named child processes (nodes the benchmark started) and by everything
 * else on the machine between two snapshots, so a result disturbed by other load (a build next
 * door) shows as such. Machine-wide numbers come from {@code /proc/stat}, a child's from {@code
 * /proc/<pid>/stat} (Linux; elsewhere only this JVM's share is known).
 */
final class CpuUsage {
    /** Length of a {@code /proc/stat} tick: USER_HZ is 100 on every mainstream Linux. */
    private static final long NANOS_PER_TICK = 10_000_000;

    private final long wallNanos;
    private final long ownNanos;
    private final long busyNanos;

    /** CPU time of each named child process, -1 where unknown; in the children's order. */
    private final Map<String, Long> childNanos;

    private CpuUsage(long wallNanos, long ownNanos, long busyNanos, Map<String, Long> childNanos) {
        this.wallNanos = wallNanos;
        this.ownNanos = ownNanos;
        this.busyNanos = busyNanos;
        this.childNanos = childNanos;
    }

    static CpuUsage now() {
        return now(Map.of());
    }

    /** A snapshot that also reads the CPU time of {@code children} (name → pid). */
    static CpuUsage now(Map<String, Long> children) {
        long own = -1;
        if (ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            own = os.getProcessCpuTime();
        }
        Map<String, Long> childNanos = new LinkedHashMap<>();
        children.forEach((name, pid) -> childNanos.put(name, processNanos(pid)));
        return new CpuUsage(System.nanoTime(), own, machineBusyNanos(), childNanos);
    }

    /** Average cores used since {@code start}: this JVM, and all other processes. */
    String since(CpuUsage start) {
        double wall = wallNanos - start.wallNanos;
        if (wall <= 0 || ownNanos < 0 || start.ownNanos < 0) {
            return "CPU use unknown";
        }
        double own = (ownNanos - start.ownNanos) / wall;
        if (busyNanos < 0 || start.busyNanos < 0) {
            return String.format(Locale.ROOT, "CPU: this JVM %.2f cores", own);
        }
        StringBuilder children = new StringBuilder();
        double childCores = 0;
        for (Map.Entry<String, Double> child : childCores(start, wall).entrySet()) {
            childCores += child.getValue();
            children.append(
                    String.format(
                            Locale.ROOT, ", %s %.2f cores", child.getKey(), child.getValue()));
        }
        double other = Math.max(0, (busyNanos - start.busyNanos) / wall - own - childCores);
        return String.format(
                Locale.ROOT,
                "CPU: this JVM %.2f cores%s, other processes %.2f cores%s",
                own,
                children,
                other,
                other >= 0.2 ? " (DISTURBED by other load)" : "");
    }

    /**
     * CPU time per request since {@code start}, per process (this JVM and each child), given the
     * request rate over the same time: e.g. "this JVM 0.310 ms, web 0.190 ms"; empty when unknown.
     */
    String perRequest(CpuUsage start, double requestsPerSecond) {
        double wall = wallNanos - start.wallNanos;
        if (requestsPerSecond <= 0 || wall <= 0 || ownNanos < 0 || start.ownNanos < 0) {
            return "";
        }
        Map<String, Double> cores = new LinkedHashMap<>();
        cores.put("this JVM", (ownNanos - start.ownNanos) / wall);
        cores.putAll(childCores(start, wall));
        StringBuilder out = new StringBuilder();
        cores.forEach(
                (name, used) ->
                        out.append(out.length() == 0 ? "" : ", ")
                                .append(
                                        String.format(
                                                Locale.ROOT,
                                                "%s %.3f ms",
                                                name,
                                                used * 1000 / requestsPerSecond)));
        return out.toString();
    }

    /** Cores each child used since {@code start} (children unknown at either end left out). */
    private Map<String, Double> childCores(CpuUsage start, double wall) {
        Map<String, Double> cores = new LinkedHashMap<>();
        childNanosSince(start).forEach((name, nanos) -> cores.put(name, nanos / wall));
        return cores;
    }

    /**
     * CPU time each child used since {@code start}, in ns, in the children's order (children
     * unknown at either end left out).
     */
    Map<String, Long> childNanosSince(CpuUsage start) {
        Map<String, Long> used = new LinkedHashMap<>();
        for (Map.Entry<String, Long> child : childNanos.entrySet()) {
            Long before = start.childNanos.get(child.getKey());
            if (before != null && before >= 0 && child.getValue() >= 0) {
                used.put(child.getKey(), child.getValue() - before);
            }
        }
        return used;
    }

    /** CPU time this JVM used since {@code start}, in ns; -1 when unknown. */
    long ownNanosSince(CpuUsage start) {
        return ownNanos < 0 || start.ownNanos < 0 ? -1 : ownNanos - start.ownNanos;
    }

    /** Wall-clock time since {@code start}, in ns. */
    long wallNanosSince(CpuUsage start) {
        return wallNanos - start.wallNanos;
    }

    /**
     * User + system CPU time of process {@code pid} (fields 14 and 15 of its stat), -1 if unknown.
     */
    static long processNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // The command name (field 2) may hold spaces: count fields after its closing ')'.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Busy time of all CPUs from the first line of /proc/stat, -1 if unknown. */
    private static long machineBusyNanos() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
            String[] f = lines.get(0).trim().split("\\s+");
            if (!f[0].equals("cpu") || f.length < 5) {
                return -1;
            }
            // user nice system idle ...: the time processes ran (interrupts are left out, as
            // they are from a process's own CPU time).
            long busy = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]);
            return busy * NANOS_PER_TICK;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
