package io.pushbase.launcher.process;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits until a child answers its health check, or fails with the child's last log lines. */
public final class Readiness {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private Readiness() {}

    /**
     * Polls {@code url} until it answers 200 (every Dropwizard health check healthy).
     *
     * @throws IllegalStateException when the child exits or the deadline passes
     */
    public static void awaitHealthy(ChildJvm child, String url, long deadlineNanos)
            throws InterruptedException {
        awaitHealthy(child, url, deadlineNanos, () -> false);
    }

    /**
     * Polls {@code url} as {@link #awaitHealthy(ChildJvm, String, long)} does, but stops waiting
     * once {@code abandon} answers true (checked before each poll): a supervisor restarting one
     * child gives up the wait when another child it depends on has died, since the child cannot
     * become healthy before that one is back.
     *
     * @return true when healthy, false when the wait was abandoned (the child is left running)
     * @throws IllegalStateException when the child exits or the deadline passes
     */
    public static boolean awaitHealthy(
            ChildJvm child, String url, long deadlineNanos, BooleanSupplier abandon)
            throws InterruptedException {
        String last = "no answer";
        while (System.nanoTime() < deadlineNanos) {
            if (abandon.getAsBoolean()) {
                return false;
            }
            if (!child.isAlive()) {
                throw new IllegalStateException(
                        child.name() + " exited during start; last log lines:\n" + child.tail(30));
            }
            try {
                HttpResponse<String> r =
                        HTTP.send(
                                HttpRequest.newBuilder(URI.create(url))
                                        .timeout(Duration.ofSeconds(5))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return true;
                }
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(
                child.name()
                        + " not healthy in time ("
                        + url
                        + ": "
                        + last
                        + "); last log lines:\n"
                        + child.tail(30));
    }
}
