package io.pushbase.comet.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * A real WebSocket client (the JDK's, which sends no {@code Origin}) that queues every text message
 * it receives. Close it to abort the connection.
 */
public final class TextWebSocketClient implements AutoCloseable {
    private final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private final WebSocket webSocket;

    private TextWebSocketClient(HttpClient client, URI uri, Duration timeout) throws Exception {
        this.webSocket =
                client.newWebSocketBuilder()
                        .connectTimeout(timeout)
                        .buildAsync(uri, new Listener())
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Connects to {@code ws://} or, with {@code tls}, {@code wss://} (null for plain). */
    public static TextWebSocketClient connect(URI uri, SSLContext tls, Duration timeout)
            throws Exception {
        HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(timeout);
        if (tls != null) {
            client.sslContext(tls);
        }
        return new TextWebSocketClient(client.build(), uri, timeout);
    }

    /** The next text message, waiting up to {@code timeout}. */
    public String nextText(Duration timeout) throws InterruptedException {
        String text = texts.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (text == null) {
            throw new AssertionError("no text message within " + timeout);
        }
        return text;
    }

    /** The next text message, or null when none arrives within {@code timeout}. */
    public String pollText(Duration timeout) throws InterruptedException {
        return texts.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sends one text frame (a heartbeat {@code h}); at most one send at a time. */
    public void sendText(String text, Duration timeout) throws Exception {
        webSocket.sendText(text, true).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Completes when the server closed the connection (with or without a Close frame). */
    public CompletableFuture<Void> ended() {
        return ended;
    }

    @Override
    public void close() {
        webSocket.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                texts.add(partial.toString());
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            ended.complete(null);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            ended.complete(null);
        }
    }
}
