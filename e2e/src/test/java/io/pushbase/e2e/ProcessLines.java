package io.pushbase.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * Follows a child process's standard output (with its errors merged in by the caller's {@code
 * ProcessBuilder}) line by line on a daemon thread of its own, so the child never blocks on a full
 * pipe; the thread ends when the process closes its output.
 */
public final class ProcessLines {
    private ProcessLines() {}

    /**
     * Starts the thread {@code name}: each line goes to {@code onLine}, then {@code onEnd} runs
     * once the output is closed (the process exited, or was killed).
     */
    public static void follow(
            Process process, String name, Consumer<String> onLine, Runnable onEnd) {
        Thread reader =
                new Thread(
                        () -> {
                            try (BufferedReader in =
                                    new BufferedReader(
                                            new InputStreamReader(
                                                    process.getInputStream(),
                                                    StandardCharsets.UTF_8))) {
                                String line;
                                while ((line = in.readLine()) != null) {
                                    onLine.accept(line);
                                }
                            } catch (IOException e) {
                                // the process is gone
                            }
                            onEnd.run();
                        },
                        name);
        reader.setDaemon(true);
        reader.start();
    }
}
