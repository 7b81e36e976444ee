package io.pushbase.e2e.browser;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One browser tab under test, through its DevTools session: runs JavaScript in the page, waits for
 * conditions, takes screenshots, and records from before its first page loads every problem the
 * browser reports (console errors and warnings, uncaught exceptions, failed loads from the
 * browser's log) and every URL the page requests, so a test can prove the page reached nothing
 * else.
 *
 * <p>Not thread-safe beyond the recording (filled on the DevTools thread): one test thread drives
 * it. A JavaScript exception in {@link #eval} fails the test with the page's message.
 */
public final class BrowserTab {
    private final DevTools devTools;
    private final String session;
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> framesSent = new CopyOnWriteArrayList<>();

    BrowserTab(DevTools devTools, String session) {
        this.devTools = devTools;
        this.session = session;
        devTools.onEvent(this::record);
        for (String domain : List.of("Runtime", "Log", "Page", "Network")) {
            devTools.call(session, domain + ".enable", null);
        }
    }

    private void record(JsonNode event) {
        if (!session.equals(event.path("sessionId").asText())) {
            return;
        }
        JsonNode params = event.path("params");
        switch (event.path("method").asText()) {
            case "Runtime.consoleAPICalled" -> {
                String type = params.path("type").asText();
                if (type.equals("error") || type.equals("warning") || type.equals("assert")) {
                    problems.add("console." + type + ": " + params.path("args"));
                }
            }
            case "Runtime.exceptionThrown" ->
                    problems.add("uncaught: " + params.path("exceptionDetails"));
            case "Log.entryAdded" -> {
                String level = params.path("entry").path("level").asText();
                if (level.equals("error") || level.equals("warning")) {
                    problems.add("log." + level + ": " + params.path("entry"));
                }
            }
            case "Network.requestWillBeSent" ->
                    requests.add(params.path("request").path("url").asText());
            case "Network.webSocketCreated" -> requests.add(params.path("url").asText());
            case "Network.webSocketFrameSent" ->
                    framesSent.add(params.path("response").path("payloadData").asText());
            default -> {}
        }
    }

    /** Loads {@code url} in this tab and waits for its load event. */
    public void navigate(String url) {
        devTools.call(session, "Page.navigate", DevTools.params().put("url", url));
        waitFor(
                "document.readyState === 'complete' && location.href !== 'about:blank'",
                Duration.ofSeconds(30));
    }

    /**
     * The value of {@code expression} (awaited when it is a promise), as JSON; an exception in the
     * page fails the test.
     */
    public JsonNode eval(String expression) {
        JsonNode result =
                devTools.call(
                        session,
                        "Runtime.evaluate",
                        DevTools.params()
                                .put("expression", expression)
                                .put("awaitPromise", true)
                                .put("returnByValue", true));
        if (result.has("exceptionDetails")) {
            throw new AssertionError(
                    "page threw on `" + expression + "`: " + result.get("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    /** Waits until {@code condition} is true in the page; fails after {@code timeout}. */
    public void waitFor(String condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!eval("Boolean(" + condition + ")").asBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "not true after "
                                + timeout
                                + ": "
                                + condition
                                + "\npage text:\n"
                                + eval("document.body ? document.body.innerText : ''").asText());
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /** Sets an input's value as a user typing it would (the page sees an input event). */
    public void type(String id, String value) {
        eval(
                "(function(){var e=document.getElementById("
                        + quote(id)
                        + ");e.focus();e.value="
                        + quote(value)
                        + ";e.dispatchEvent(new Event('input',{bubbles:true}));})()");
    }

    /** Clicks the element matching {@code selector}. */
    public void click(String selector) {
        eval("document.querySelector(" + quote(selector) + ").click()");
    }

    /** The whole page as a PNG at {@code file} (the folder is created). */
    public void screenshot(Path file) throws IOException {
        JsonNode shot =
                devTools.call(
                        session,
                        "Page.captureScreenshot",
                        DevTools.params().put("format", "png").put("captureBeyondViewport", true));
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(shot.get("data").asText()));
    }

    /** The payload of every WebSocket text frame this tab sent so far, in order. */
    public List<String> webSocketFramesSent() {
        return List.copyOf(framesSent);
    }

    /** Every problem the browser reported for this tab so far. */
    public List<String> problems() {
        return List.copyOf(problems);
    }

    /** Every URL this tab requested so far (pages, scripts, fetches, WebSockets' handshakes). */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    /** {@code value} as a JavaScript string literal. */
    public static String quote(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
