package io.pushbase.e2e.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One connection to a browser's DevTools endpoint (the Chrome DevTools Protocol over a WebSocket):
 * commands answered by id, events passed to listeners. Pages are reached through flattened target
 * sessions ({@code sessionId} on every message), so one connection serves every tab.
 *
 * <p>Thread-safe: commands may be sent from any thread; listeners run on the WebSocket's thread and
 * must not block. A command the browser answers with an error fails its future with that error.
 */
final class DevTools implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    private final WebSocket socket;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final List<Consumer<JsonNode>> listeners = new CopyOnWriteArrayList<>();

    private DevTools(WebSocket.Builder builder, URI endpoint) {
        this.socket = builder.buildAsync(endpoint, new Listener()).join();
    }

    static DevTools connect(URI endpoint) {
        return new DevTools(HttpClient.newHttpClient().newWebSocketBuilder(), endpoint);
    }

    /** Every event ({@code method}, {@code params}, {@code sessionId}) from now on. */
    void onEvent(Consumer<JsonNode> listener) {
        listeners.add(listener);
    }

    /** Sends {@code method} to the browser ({@code sessionId} null) or a page session. */
    JsonNode call(String sessionId, String method, ObjectNode params) {
        long id = ids.incrementAndGet();
        ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
        message.set("params", params == null ? JSON.createObjectNode() : params);
        if (sessionId != null) {
            message.put("sessionId", sessionId);
        }
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        synchronized (socket) { // one text message at a time
            socket.sendText(message.toString(), true).join();
        }
        try {
            return answer.get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("DevTools " + method + " failed: " + e, e);
        } finally {
            pending.remove(id);
        }
    }

    static ObjectNode params() {
        return JSON.createObjectNode();
    }

    @Override
    public void close() {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(e -> null);
    }

    private void dispatch(String text) {
        JsonNode message;
        try {
            message = JSON.readTree(text);
        } catch (Exception e) {
            return; // not ours to judge: the browser only sends JSON
        }
        if (message.has("id")) {
            CompletableFuture<JsonNode> answer = pending.get(message.get("id").asLong());
            if (answer != null) {
                if (message.has("error")) {
                    answer.completeExceptionally(
                            new IllegalStateException(message.get("error").toString()));
                } else {
                    answer.complete(message.get("result"));
                }
            }
            return;
        }
        listeners.forEach(l -> l.accept(message));
    }

    /** Reassembles messages the WebSocket delivers in parts (screenshots are large). */
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                dispatch(text);
            }
            ws.request(1);
            return null;
        }
    }
}
