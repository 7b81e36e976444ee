package io.pushbase.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Two times a HotSpot JVM on this machine has spent since it started, read from the counters it
 * publishes in its {@code hsperfdata} file ({@code /tmp/hsperfdata_<user>/<pid>}, what {@code
 * jstat} reads):
 *
 * <ul>
 *   <li><b>GC pauses:</b> the sum of {@code sun.gc.collector.<n>.time} over its collectors, i.e.
 *       {@code jstat -gc}'s GCT (for G1: young, full and remark/cleanup pauses; concurrent marking
 *       runs beside the application and is not in it);
 *   <li><b>JIT compilation:</b> {@code java.ci.totalTime}, {@code jstat -compiler}'s Time: how long
 *       its compilations took from start to end, summed over them — elapsed time, not CPU time: its
 *       compiler threads run at once, and on a busy machine they wait for a core, so it can exceed
 *       the CPU the process used. A benchmark's window that still holds seconds of it measures the
 *       compilers as much as the code (docs/BENCHMARKS.md, "What a push costs the kernel on this
 *       host": the nodes' CPU in the 60 s warm window of issue 11 followed it).
 * </ul>
 *
 * <p>Reading the file costs microseconds and starts no process, unlike {@code jstat} or {@code
 * jcmd}, which would each take a core for a second of a 2-core machine under test.
 *
 * <p>The file layout is HotSpot's PerfData format (version 2, since JDK 6): a prologue with a
 * byte-order flag, the offset of the first entry and the number of entries; each entry holds its
 * length, the offsets of its NUL-terminated name and of its data, a vector length (0 for a scalar)
 * and a type byte ({@code 'J'} for a 64-bit value). Stateless and thread-safe.
 *
 * @param gcPauseNanos GC pause time so far, -1 when unknown
 * @param compileNanos JIT compilation time so far (elapsed, summed over compilations), -1 when
 *     unknown
 */
record HotSpotCounters(long gcPauseNanos, long compileNanos) {
    /** Neither known: not a HotSpot JVM, {@code -XX:-UsePerfData}, or its file not readable. */
    static final HotSpotCounters UNKNOWN = new HotSpotCounters(-1, -1);

    /** Where HotSpot writes the files on Linux, whatever {@code java.io.tmpdir} says. */
    private static final Path TMP = Path.of("/tmp");

    private static final int MAGIC = 0xcafec0c0;
    private static final String COLLECTOR = "sun.gc.collector.";
    private static final String TIME = ".time";
    private static final String COMPILE_TIME = "java.ci.totalTime";
    private static final String FREQUENCY = "sun.os.hrt.frequency";

    /** Process {@code pid}'s counters now; {@link #UNKNOWN} when they cannot be read. */
    static HotSpotCounters of(long pid) {
        try {
            Path file = file(pid);
            return file == null ? UNKNOWN : of(ByteBuffer.wrap(Files.readAllBytes(file)));
        } catch (IOException | RuntimeException e) {
            return UNKNOWN;
        }
    }

    /** The pid's file in whichever user's directory holds it, or null. */
    private static Path file(long pid) throws IOException {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(TMP, "hsperfdata_*")) {
            for (Path dir : dirs) {
                Path candidate = dir.resolve(Long.toString(pid));
                if (Files.isReadable(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    static HotSpotCounters of(ByteBuffer data) {
        if (data.order(ByteOrder.BIG_ENDIAN).getInt(0) != MAGIC) {
            return UNKNOWN;
        }
        // byte 4: 0 big endian, 1 little endian (the magic itself is always big endian)
        data.order(data.get(4) == 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        int entry = data.getInt(24);
        int entries = data.getInt(28);
        long gcTicks = 0;
        long compileTicks = -1;
        long frequency = -1;
        for (int i = 0; i < entries && entry + 20 <= data.limit(); i++) {
            int length = data.getInt(entry);
            int nameOffset = data.getInt(entry + 4);
            int vectorLength = data.getInt(entry + 8);
            byte type = data.get(entry + 12);
            int dataOffset = data.getInt(entry + 16);
            if (length <= 0) {
                break;
            }
            if (type == 'J' && vectorLength == 0) {
                String name = name(data, entry + nameOffset);
                if (name.startsWith(COLLECTOR) && name.endsWith(TIME)) {
                    gcTicks += data.getLong(entry + dataOffset);
                } else if (name.equals(COMPILE_TIME)) {
                    compileTicks = data.getLong(entry + dataOffset);
                } else if (name.equals(FREQUENCY)) {
                    frequency = data.getLong(entry + dataOffset);
                }
            }
            entry += length;
        }
        if (frequency <= 0) {
            return UNKNOWN;
        }
        double nanosPerTick = 1e9 / frequency;
        return new HotSpotCounters(
                (long) (gcTicks * nanosPerTick),
                compileTicks < 0 ? -1 : (long) (compileTicks * nanosPerTick));
    }

    private static String name(ByteBuffer data, int at) {
        int end = at;
        while (end < data.limit() && data.get(end) != 0) {
            end++;
        }
        byte[] name = new byte[end - at];
        data.get(at, name);
        return new String(name, StandardCharsets.US_ASCII);
    }
}
