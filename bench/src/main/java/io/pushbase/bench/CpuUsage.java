package io.pushbase.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * CPU used by this JVM and by everything else on the machine between two snapshots, so a result
 * disturbed by other load (a build next door) shows as such. Machine-wide numbers come from {@code
 * /proc/stat} (Linux; elsewhere only this JVM's share is known).
 */
final class CpuUsage {
    /** Length of a {@code /proc/stat} tick: USER_HZ is 100 on every mainstream Linux. */
    private static final long NANOS_PER_TICK = 10_000_000;

    private final long wallNanos;
    private final long ownNanos;
    private final long busyNanos;

    private CpuUsage(long wallNanos, long ownNanos, long busyNanos) {
        this.wallNanos = wallNanos;
        this.ownNanos = ownNanos;
        this.busyNanos = busyNanos;
    }

    static CpuUsage now() {
        long own = -1;
        if (ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            own = os.getProcessCpuTime();
        }
        return new CpuUsage(System.nanoTime(), own, machineBusyNanos());
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
        double other = Math.max(0, (busyNanos - start.busyNanos) / wall - own);
        return String.format(
                Locale.ROOT,
                "CPU: this JVM %.2f cores, other processes %.2f cores%s",
                own,
                other,
                other >= 0.2 ? " (DISTURBED by other load)" : "");
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
