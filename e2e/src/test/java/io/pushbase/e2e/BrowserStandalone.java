package io.pushbase.e2e;

import io.pushbase.e2e.browser.Chromium;
import io.pushbase.launcher.nodes.LoopbackPorts;
import io.pushbase.launcher.nodes.Role;
import io.pushbase.launcher.process.ChildJvm;
import io.pushbase.launcher.process.Distribution;
import io.pushbase.launcher.process.Readiness;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a browser test runs against: the built distribution's {@code bin/pushbase standalone} at a
 * port offset of its own (data in a fresh temporary directory), and Debian's headless chromium
 * ({@link Chromium}), started in that order and stopped in reverse by {@link #close()}; comets a
 * test adds to the standalone's ring ({@link #startComet}); and the plain HTTP calls a test makes
 * beside the browser (pushes, tokens, pulls) on the standalone's ports.
 *
 * <p>Owns every process it starts (each stopped by its own handle). Not thread-safe: one test class
 * drives it.
 */
final class BrowserStandalone implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern MID = Pattern.compile("\"mid\":\"?(\\d+)");

    private final int offset;
    private final Path dir;
    private final Standalone standalone;
    private final List<ChildJvm> comets = new ArrayList<>();
    private Chromium chromium;

    private BrowserStandalone(int offset, Path dir, Standalone standalone) {
        this.offset = offset;
        this.dir = dir;
        this.standalone = standalone;
    }

    /**
     * Starts the standalone with {@code env} added to its environment, waits until it is ready,
     * then starts the browser. Whatever started is stopped again if a later step fails.
     */
    static BrowserStandalone start(int offset, Map<String, String> env, String tempPrefix)
            throws Exception {
        Path data = Files.createTempDirectory(tempPrefix);
        BrowserStandalone started =
                new BrowserStandalone(
                        offset,
                        data,
                        Standalone.run(
                                env,
                                "standalone",
                                "--data",
                                data.resolve("data").toString(),
                                "--port-offset",
                                Integer.toString(offset)));
        try {
            started.standalone.awaitReady(Duration.ofSeconds(180));
            started.chromium = Chromium.start();
            return started;
        } catch (Exception | AssertionError e) {
            started.close();
            throw e;
        }
    }

    Chromium chromium() {
        return chromium;
    }

    /**
     * One more comet, its own JVM started from the distribution as {@code bin/pushbase comet}
     * starts it, on this standalone's ZooKeeper (so on its ring, beside the standalone's comet,
     * using its message node) under ring node name {@code nodeName}, on free loopback ports with
     * {@code env} added; returned once healthy. {@link #close()} stops it if it still runs.
     *
     * @return its ports by use ({@code ws}, {@code tcp}, {@code grpc}, {@code admin}) and its JVM
     */
    AddedComet startComet(String nodeName, Map<String, String> env) throws Exception {
        String zookeeper = "127.0.0.1:" + (2181 + offset);
        LoopbackPorts ports = LoopbackPorts.free(Role.COMET);
        Map<String, String> all = new HashMap<>(ports.environment(zookeeper, nodeName));
        all.putAll(env);
        ChildJvm jvm =
                new Distribution(Standalone.DIST)
                        .startRole(
                                nodeName, "comet", zookeeper, all, dir.resolve(nodeName + ".log"));
        comets.add(jvm);
        Readiness.awaitHealthy(
                jvm,
                "http://127.0.0.1:" + ports.port("admin") + "/healthcheck",
                System.nanoTime() + Duration.ofSeconds(120).toNanos());
        return new AddedComet(jvm, ports);
    }

    /** A comet {@link #startComet} started. */
    record AddedComet(ChildJvm jvm, LoopbackPorts ports) {
        /** A graceful stop (SIGTERM by its handle): it closes its clients' connections. */
        void stop() throws InterruptedException {
            jvm.stop(Duration.ofSeconds(30));
        }
    }

    /** GET on 127.0.0.1:{@code port}: the answer's body. */
    String get(int port, String pathAndQuery) throws Exception {
        return send(HttpRequest.newBuilder(uri(port, pathAndQuery)).build());
    }

    /** POST of {@code body}, with {@code Authorization: Bearer <bearer>} unless it is null. */
    String post(int port, String pathAndQuery, String body, String bearer) throws Exception {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(uri(port, pathAndQuery))
                        .POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        return send(request.build());
    }

    /** Every mid in a pull's answer, as its digits (numbers and, exact format, strings alike). */
    static List<String> mids(String pulled) {
        Matcher m = MID.matcher(pulled);
        List<String> mids = new ArrayList<>();
        while (m.find()) {
            mids.add(m.group(1));
        }
        return mids;
    }

    private static URI uri(int port, String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    private static String send(HttpRequest request) throws Exception {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }

    @Override
    public void close() throws Exception {
        try {
            if (chromium != null) {
                chromium.close();
            }
        } finally {
            try {
                for (ChildJvm comet : comets) {
                    if (comet.isAlive()) {
                        comet.stop(Duration.ofSeconds(30));
                    }
                }
            } finally {
                standalone.close();
            }
        }
    }
}
