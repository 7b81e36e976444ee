package io.pushbase.e2e;

import java.io.IOException;

/**
 * Sends a signal to one process by its pid ({@code kill -<signal> <pid>}): the tests' only way to
 * freeze ({@code STOP}), thaw ({@code CONT}) or stop ({@code INT}, {@code TERM}) a process they
 * started, never by name.
 */
final class Signals {
    private Signals() {}

    /** Sends {@code signal} (without the {@code SIG} prefix) to {@code pid}; fails if kill does. */
    static void send(long pid, String signal) throws IOException, InterruptedException {
        int code =
                new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                        .inheritIO()
                        .start()
                        .waitFor();
        if (code != 0) {
            throw new AssertionError("kill -" + signal + " " + pid + " exited " + code);
        }
    }
}
