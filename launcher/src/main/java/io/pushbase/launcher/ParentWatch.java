package io.pushbase.launcher;

import java.io.IOException;
import java.io.InputStream;

/**
 * Ties a supervised role's life to its supervisor's: when {@code PUSHBASE_SUPERVISED=1}, a daemon
 * thread reads standard input until it closes, then exits the JVM normally (shutdown hooks run:
 * Dropwizard stops its server and managed objects in order). The supervisor holds the other end of
 * the pipe, so the input closes when it closes it or when it dies, however it dies.
 */
final class ParentWatch {
    static final String ENV = "PUSHBASE_SUPERVISED";

    private ParentWatch() {}

    static void startIfSupervised() {
        if (!"1".equals(System.getenv(ENV))) {
            return;
        }
        Thread watch = new Thread(() -> waitForEof(System.in), "parent-watch");
        watch.setDaemon(true);
        watch.start();
    }

    private static void waitForEof(InputStream in) {
        try {
            while (in.read() != -1) {
                // nothing is sent on this pipe; it only closes
            }
        } catch (IOException e) {
            // the pipe broke: the supervisor is gone as well
        }
        System.exit(0);
    }
}
