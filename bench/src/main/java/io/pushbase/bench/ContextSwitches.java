package io.pushbase.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How many times the threads of a process have been switched off a CPU: the sum over its threads
 * ({@code /proc/<pid>/task/<tid>/status}) of {@code voluntary_ctxt_switches} (the thread blocked:
 * parked, waited on a lock or a futex, slept in {@code epoll_wait}) and {@code
 * nonvoluntary_ctxt_switches} (preempted). Linux only; -1 elsewhere.
 *
 * <p>Why a benchmark reports it: a switch costs what waking a thread and entering and leaving the
 * kernel cost on the host, ~12 µs on the virtual machine of docs/BENCHMARKS.md ("What a push costs
 * the kernel on this host"). CPU time per push moves with the host's speed from run to run;
 * switches per push count the thread hand-offs of the code and hardly move, so they show a change
 * of the code's threading on a host too noisy for its CPU time to.
 *
 * <p>A thread that exits between two readings takes its switches with it, so a difference can come
 * out slightly low when pool threads come and go; the servers' pools keep their threads under load.
 * Stateless and thread-safe.
 */
final class ContextSwitches {
    private static final String VOLUNTARY = "voluntary_ctxt_switches:";
    private static final String NONVOLUNTARY = "nonvoluntary_ctxt_switches:";

    private ContextSwitches() {}

    /** Switches of all live threads of {@code pid} so far; -1 when unknown (gone, not Linux). */
    static long total(long pid) {
        long sum = 0;
        boolean any = false;
        try (DirectoryStream<Path> tasks =
                Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks) {
                long n = ofStatus(readOrEmpty(task.resolve("status")));
                if (n >= 0) {
                    sum += n;
                    any = true;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return any ? sum : -1;
    }

    /** Voluntary plus involuntary switches in one {@code status} file's lines; -1 if absent. */
    static long ofStatus(List<String> lines) {
        long voluntary = -1;
        long nonvoluntary = -1;
        for (String line : lines) {
            if (line.startsWith(VOLUNTARY)) {
                voluntary = Long.parseLong(line.substring(VOLUNTARY.length()).trim());
            } else if (line.startsWith(NONVOLUNTARY)) {
                nonvoluntary = Long.parseLong(line.substring(NONVOLUNTARY.length()).trim());
            }
        }
        return voluntary < 0 || nonvoluntary < 0 ? -1 : voluntary + nonvoluntary;
    }

    /** A thread that exited after the directory was listed has no file: it counts as none. */
    private static List<String> readOrEmpty(Path status) {
        try {
            return Files.readAllLines(status);
        } catch (IOException e) {
            return List.of();
        }
    }
}
