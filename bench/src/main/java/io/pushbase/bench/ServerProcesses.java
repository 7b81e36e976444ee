package io.pushbase.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The processes of a running {@code pushbase standalone}: its launcher and every descendant, each
 * named by its role from its command line ({@code /proc/<pid>/cmdline}): {@code hbase} (the local
 * HBase, {@code LocalHBaseMain}), {@code nodes} (message, comet and web in one JVM, as standalone
 * runs them) or {@code message}, {@code comet}, {@code web} (the argument after {@code
 * PushbaseMain}), {@code launcher} ({@code PushbaseMain standalone}); anything else by its program
 * name. Descendants are found through {@link ProcessHandle#descendants()}, which reads {@code
 * /proc} on Linux; the set is taken once, when the server is ready (standalone starts no process
 * later). A {@link #snapshot()} reads each one's CPU time ({@link CpuUsage}), GC pauses and JIT
 * compilation time ({@link HotSpotCounters}) and context switches ({@link ContextSwitches}) at one
 * moment, to subtract at the end of a window.
 *
 * <p>Immutable; owns no process (the benchmark stops the server through its launcher's handle).
 */
final class ServerProcesses {
    /** The order of the report's columns. */
    private static final List<String> ROLE_ORDER =
            List.of("hbase", "nodes", "message", "comet", "web", "launcher");

    /**
     * One server process.
     *
     * @param jvmOptions its JVM options as started (an {@code @argfile} shown with its contents)
     */
    record Member(String name, long pid, String jvmOptions) {}

    /**
     * CPU, GC, JIT and context-switch counters of every member (and of this JVM and the machine, in
     * {@link #cpu}) read at one moment.
     *
     * @param gcNanos GC pause time per member so far, -1 where unknown
     * @param jitNanos JIT compilation time per member so far, -1 where unknown
     * @param switches context switches per member so far ({@link ContextSwitches}), -1 where
     *     unknown
     */
    record Snapshot(
            CpuUsage cpu,
            Map<String, Long> gcNanos,
            Map<String, Long> jitNanos,
            Map<String, Long> switches) {
        /** GC pause time per member since {@code start}, in ns (unknown ones left out). */
        Map<String, Long> gcNanosSince(Snapshot start) {
            return since(gcNanos, start.gcNanos);
        }

        /** JIT compilation time per member since {@code start}, in ns (unknown ones left out). */
        Map<String, Long> jitNanosSince(Snapshot start) {
            return since(jitNanos, start.jitNanos);
        }

        /** Context switches per member since {@code start} (unknown ones left out). */
        Map<String, Long> switchesSince(Snapshot start) {
            return since(switches, start.switches);
        }

        private static Map<String, Long> since(Map<String, Long> now, Map<String, Long> before) {
            Map<String, Long> grown = new LinkedHashMap<>();
            now.forEach(
                    (name, value) -> {
                        Long was = before.get(name);
                        if (value >= 0 && was != null && was >= 0) {
                            grown.put(name, value - was);
                        }
                    });
            return grown;
        }
    }

    private final List<Member> members;

    private ServerProcesses(List<Member> members) {
        this.members = members;
    }

    /** No server process known (an external server without {@code --pid}). */
    static ServerProcesses none() {
        return new ServerProcesses(List.of());
    }

    /** The launcher {@code launcherPid} and all its descendants, as they are now. */
    static ServerProcesses of(long launcherPid) {
        List<ProcessHandle> all = new ArrayList<>();
        ProcessHandle.of(launcherPid).ifPresent(all::add);
        all.addAll(
                ProcessHandle.of(launcherPid).map(p -> p.descendants().toList()).orElse(List.of()));
        List<Member> members = new ArrayList<>();
        for (ProcessHandle p : all) {
            List<String> args = commandLine(p.pid());
            if (args.isEmpty()) {
                continue; // gone already
            }
            String name = role(args);
            String unique = name;
            for (int n = 2; taken(members, unique); n++) {
                unique = name + "-" + n;
            }
            members.add(new Member(unique, p.pid(), jvmOptions(args)));
        }
        members.sort(Comparator.comparingInt(m -> order(m.name())));
        return new ServerProcesses(List.copyOf(members));
    }

    List<Member> members() {
        return members;
    }

    boolean isEmpty() {
        return members.isEmpty();
    }

    /** Name → pid, in report order (what {@link CpuUsage} takes). */
    Map<String, Long> pids() {
        Map<String, Long> pids = new LinkedHashMap<>();
        members.forEach(m -> pids.put(m.name(), m.pid()));
        return pids;
    }

    /** The members that have exited, by name; empty while all run. */
    List<String> exited() {
        return members.stream()
                .filter(m -> ProcessHandle.of(m.pid()).map(p -> !p.isAlive()).orElse(true))
                .map(Member::name)
                .toList();
    }

    Snapshot snapshot() {
        Map<String, Long> gc = new LinkedHashMap<>();
        Map<String, Long> jit = new LinkedHashMap<>();
        Map<String, Long> switches = new LinkedHashMap<>();
        members.forEach(
                m -> {
                    HotSpotCounters counters = HotSpotCounters.of(m.pid());
                    gc.put(m.name(), counters.gcPauseNanos());
                    jit.put(m.name(), counters.compileNanos());
                    switches.put(m.name(), ContextSwitches.total(m.pid()));
                });
        return new Snapshot(CpuUsage.now(pids()), gc, jit, switches);
    }

    private static boolean taken(List<Member> members, String name) {
        return members.stream().anyMatch(m -> m.name().equals(name));
    }

    private static int order(String name) {
        int i = ROLE_ORDER.indexOf(name);
        return i < 0 ? ROLE_ORDER.size() : i;
    }

    /** The role of a process from its arguments (see the class comment). */
    static String role(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.endsWith("LocalHBaseMain")) {
                return "hbase";
            }
            if (arg.endsWith(".PushbaseMain") && i + 1 < args.size()) {
                String command = args.get(i + 1);
                return command.equals("standalone") ? "launcher" : command;
            }
        }
        return Path.of(args.get(0)).getFileName().toString();
    }

    /** The arguments between the program and its class path (or main class, or {@code -jar}). */
    private static String jvmOptions(List<String> args) {
        List<String> options = new ArrayList<>();
        for (String arg : args.subList(1, args.size())) {
            if (arg.equals("-cp") || arg.equals("-classpath") || arg.equals("-jar")) {
                break;
            }
            options.add(arg.startsWith("@") ? argFile(arg) : arg);
        }
        return String.join(" ", options);
    }

    /** An {@code @argfile}'s options without its comments, in brackets after its name. */
    private static String argFile(String arg) {
        try {
            List<String> lines =
                    Files.readAllLines(Path.of(arg.substring(1))).stream()
                            .map(String::trim)
                            .filter(l -> !l.isEmpty() && !l.startsWith("#"))
                            .toList();
            return arg + " [" + String.join(" ", lines) + "]";
        } catch (IOException | RuntimeException e) {
            return arg;
        }
    }

    /** The process's arguments, empty when it is gone or not readable. */
    private static List<String> commandLine(long pid) {
        try {
            String raw =
                    new String(
                            Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")),
                            StandardCharsets.UTF_8);
            if (raw.isEmpty()) {
                return List.of();
            }
            return Arrays.asList(raw.split("\0"));
        } catch (IOException e) {
            return List.of();
        }
    }
}
