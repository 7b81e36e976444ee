package io.pushbase.e2e.browser;

import io.pushbase.e2e.ProcessLines;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's {@code chromium}, headless, driven over the DevTools protocol ({@link DevTools}): a
 * 1366x768 window (a laptop screen), a fresh profile in a temporary directory, background
 * networking off so the browser itself reaches nothing but the pages it is sent to. {@link
 * #open(String)} opens a tab.
 *
 * <p>A missing {@code chromium} fails with how to install it (CI installs it through {@code
 * .ci/run}), never skips. {@link #close()} stops the browser by its own process handle and waits
 * for it. Not thread-safe: one test thread drives it.
 */
public final class Chromium implements AutoCloseable {
    private static final Pattern ENDPOINT = Pattern.compile("DevTools listening on (ws://\\S+)");
    private static final String BINARY = "chromium";

    private final Process process;
    private final Path profile;
    private final DevTools devTools;

    private Chromium(Process process, Path profile, URI endpoint) {
        this.process = process;
        this.profile = profile;
        this.devTools = DevTools.connect(endpoint);
    }

    /** Starts the browser; fails with a clear message when {@code chromium} is not installed. */
    public static Chromium start() throws Exception {
        Path binary = onPath(BINARY);
        if (binary == null) {
            throw new AssertionError(
                    "chromium is not installed: the console's browser tests need Debian's"
                            + " chromium (apt-get install chromium; .ci/run installs it)");
        }
        Path profile = Files.createTempDirectory("pushbase-chromium");
        List<String> command =
                List.of(
                        binary.toString(),
                        "--headless=new",
                        // Root (CI) cannot use Chromium's sandbox; the pages are our own.
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-dev-shm-usage",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-default-apps",
                        "--disable-extensions",
                        "--disable-sync",
                        "--no-first-run",
                        "--no-default-browser-check",
                        "--window-size=1366,768",
                        "--remote-debugging-port=0",
                        "--user-data-dir=" + profile,
                        "about:blank");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> lines = new CopyOnWriteArrayList<>();
        CompletableFuture<URI> endpoint = new CompletableFuture<>();
        ProcessLines.follow(
                process,
                "chromium-output",
                line -> {
                    lines.add(line);
                    Matcher m = ENDPOINT.matcher(line);
                    if (m.find()) {
                        endpoint.complete(URI.create(m.group(1)));
                    }
                },
                () ->
                        endpoint.completeExceptionally(
                                new AssertionError(
                                        "chromium exited:\n" + String.join("\n", lines))));
        try {
            return new Chromium(process, profile, endpoint.get(60, TimeUnit.SECONDS));
        } catch (Exception e) {
            process.destroyForcibly();
            throw new AssertionError("chromium did not start:\n" + String.join("\n", lines), e);
        }
    }

    /** A new tab at {@code url}, recording its console from before the page loads. */
    public BrowserTab open(String url) {
        return open(url, null);
    }

    /**
     * A new tab at {@code url} in a browser context of its own (its own cookies and cache) whose
     * requests go through the HTTP proxy {@code proxyServer} ({@code host:port}), except those to
     * the hosts of {@code bypass} ({@code host:port} rules; loopback addresses are proxied too).
     */
    public BrowserTab openBehindProxy(String url, String proxyServer, List<String> bypass) {
        var context =
                devTools.call(
                        null,
                        "Target.createBrowserContext",
                        DevTools.params()
                                .put("proxyServer", "http://" + proxyServer)
                                // Chromium never proxies loopback unless told "<-loopback>".
                                .put(
                                        "proxyBypassList",
                                        String.join(";", "<-loopback>", String.join(";", bypass))));
        return open(url, context.get("browserContextId").asText());
    }

    private BrowserTab open(String url, String browserContextId) {
        var params = DevTools.params().put("url", "about:blank");
        if (browserContextId != null) {
            params.put("browserContextId", browserContextId);
        }
        var created = devTools.call(null, "Target.createTarget", params);
        String targetId = created.get("targetId").asText();
        var attached =
                devTools.call(
                        null,
                        "Target.attachToTarget",
                        DevTools.params().put("targetId", targetId).put("flatten", true));
        BrowserTab tab = new BrowserTab(devTools, attached.get("sessionId").asText());
        tab.navigate(url);
        return tab;
    }

    @Override
    public void close() throws Exception {
        devTools.close();
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        // The profile: a few MB the browser no longer uses.
        try (var files = Files.walk(profile)) {
            List<Path> all = new ArrayList<>(files.toList());
            java.util.Collections.reverse(all);
            for (Path p : all) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // left in the temporary directory
        }
    }

    private static Path onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(dir, name);
            if (!dir.isEmpty() && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
