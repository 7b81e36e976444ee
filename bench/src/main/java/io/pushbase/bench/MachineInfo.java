package io.pushbase.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** What the numbers were measured on, as Markdown list items. */
final class MachineInfo {
    private MachineInfo() {}

    /** The machine and this JVM, plus where HBase keeps its data and on which filesystem. */
    static List<String> describe(Path dataDir) {
        List<String> lines = describe();
        lines.add("HBase data (WAL and store files): " + dataDir + " on " + fileSystem(dataDir));
        return lines;
    }

    /** The machine and this JVM: CPU, memory, Java with its flags, OS. */
    static List<String> describe() {
        List<String> lines = new ArrayList<>();
        String cpu = firstValue(Path.of("/proc/cpuinfo"), "model name").orElse("unknown model");
        lines.add(
                "CPU: "
                        + Runtime.getRuntime().availableProcessors()
                        + " cores available to the JVM (nproc), "
                        + cpu);
        lines.add("Memory: " + totalMemory());
        lines.add(
                "Java: "
                        + System.getProperty("java.vm.vendor")
                        + " "
                        + System.getProperty("java.vm.name")
                        + " "
                        + System.getProperty("java.runtime.version")
                        + ", max heap "
                        + gib(Runtime.getRuntime().maxMemory())
                        + ", JVM flags: "
                        + String.join(
                                " ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        String distro =
                firstValue(Path.of("/etc/os-release"), "PRETTY_NAME")
                        .map(v -> v.replace("\"", "") + ", ")
                        .orElse("");
        lines.add(
                "OS: "
                        + distro
                        + System.getProperty("os.name")
                        + " "
                        + System.getProperty("os.version")
                        + " "
                        + System.getProperty("os.arch"));
        return lines;
    }

    private static String totalMemory() {
        Optional<String> kb = firstValue(Path.of("/proc/meminfo"), "MemTotal");
        if (kb.isPresent()) {
            try {
                return gib(Long.parseLong(kb.get().replace("kB", "").trim()) * 1024);
            } catch (NumberFormatException e) {
                // fall through to the JMX answer
            }
        }
        if (ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            return gib(os.getTotalMemorySize());
        }
        return "unknown";
    }

    private static String fileSystem(Path dir) {
        try {
            Path existing = dir.toAbsolutePath();
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            return existing == null ? "unknown" : Files.getFileStore(existing).type();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (1024.0 * 1024 * 1024));
    }

    /** The value of the first {@code name: value} or {@code name=value} line of a file. */
    private static Optional<String> firstValue(Path file, String name) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(name)) {
                    String rest = line.substring(name.length()).trim();
                    if (rest.startsWith(":") || rest.startsWith("=")) {
                        return Optional.of(rest.substring(1).trim());
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or not readable: the caller says "unknown"
        }
        return Optional.empty();
    }
}
