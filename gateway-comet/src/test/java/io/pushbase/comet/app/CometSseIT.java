package io.pushbase.comet.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushbase.comet.testing.CometTestCluster;
import io.pushbase.comet.testing.CometTestCluster.Comet;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * (Pushbase) Server-Sent Events over real sockets: a real comet (the shipped {@code comet.yml}),
 * real message nodes over the in-memory store, and the JDK's {@link HttpClient} reading the stream
 * line by line ({@code BodyHandlers.ofLines()}), as any SSE client would. Pushed messages arrive as
 * events whose id is the mid; a client that reconnects with {@code Last-Event-ID} gets the
 * completeness event, what it missed, then live messages.
 */
class CometSseIT {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static CometTestCluster cluster;
    private static Comet comet;
    private static final HttpClient HTTP =
            HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(WAIT)
                    .build();

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new CometTestCluster(2);
        comet = cluster.startComet("comet-sse");
        CometApplicationIT.awaitAdmitted(comet, "warm-up");
    }

    @AfterAll
    static void stopCluster() throws Exception {
        cluster.close();
    }

    /** One event of the stream: its fields (null when absent), data lines joined by LF. */
    record Event(String id, String type, String data) {}

    /** An open event stream; its lines are read on a thread of their own. */
    static final class Stream200 implements AutoCloseable {
        private final HttpResponse<Stream<String>> response;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final Thread reader;

        Stream200(HttpResponse<Stream<String>> response) {
            this.response = response;
            Iterator<String> body = response.body().iterator();
            this.reader =
                    new Thread(
                            () -> {
                                try {
                                    while (body.hasNext()) {
                                        lines.add(body.next());
                                    }
                                } catch (RuntimeException closed) {
                                    // the stream was closed
                                }
                            },
                            "sse-reader");
            reader.setDaemon(true);
            reader.start();
        }

        /** The next event, skipping comments (heartbeats). */
        Event next() throws InterruptedException {
            String id = null;
            String type = null;
            List<String> data = new ArrayList<>();
            while (true) {
                String line = lines.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(line).as("a line of the stream within %s", WAIT).isNotNull();
                if (line.isEmpty()) {
                    if (id != null || type != null || !data.isEmpty()) {
                        return new Event(id, type, String.join("\n", data));
                    }
                } else if (line.startsWith(":")) {
                    continue;
                } else if (line.startsWith("id: ")) {
                    id = line.substring(4);
                } else if (line.startsWith("event: ")) {
                    type = line.substring(7);
                } else if (line.startsWith("data: ")) {
                    data.add(line.substring(6));
                } else {
                    throw new AssertionError("not a line of an event stream: " + line);
                }
            }
        }

        @Override
        public void close() {
            response.body().close();
        }
    }

    private static HttpResponse<Stream<String>> get(String query, String lastEventId)
            throws Exception {
        return get(comet, query, lastEventId);
    }

    /** {@code GET /sse?<query>} on {@code on}'s WebSocket listener, its body as lines. */
    static HttpResponse<Stream<String>> get(Comet on, String query, String lastEventId)
            throws Exception {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + on.ws() + "/sse?" + query));
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        return HTTP.sendAsync(request.build(), BodyHandlers.ofLines())
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Stream200 open(String key, String lastEventId) throws Exception {
        HttpResponse<Stream<String>> response = get("key=" + key + "&ver=1", lastEventId);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
        return new Stream200(response);
    }

    private static long push(String key, int n) {
        return comet.push(key, "{\"n\":" + n + "}", 600).getMid();
    }

    private static void assertMessage(Event event, long mid, int n) {
        assertThat(event.id()).isEqualTo(Long.toString(mid));
        assertThat(event.type()).isNull();
        assertThat(event.data())
                .isEqualTo("{\"msg\":{\"n\":" + n + "},\"mid\":" + mid + ",\"gid\":0}");
    }

    @Test
    void pushedMessagesArriveAsEventsAndAReconnectWithLastEventIdGetsWhatItMissed()
            throws Exception {
        String key = "sse-resume";
        long subscribedBefore = comet.count("comet.sse.subscribed");
        List<Long> mids = new ArrayList<>();
        String lastId;
        try (Stream200 stream = open(key, null)) {
            for (int n = 0; n < 3; n++) {
                mids.add(push(key, n));
                assertMessage(stream.next(), mids.get(n), n);
            }
            lastId = Long.toString(mids.get(2));
        }
        // Away while five more are pushed.
        for (int n = 3; n < 8; n++) {
            mids.add(push(key, n));
        }
        try (Stream200 stream = open(key, lastId)) {
            assertThat(stream.next()).isEqualTo(new Event(null, "resume", "complete"));
            for (int n = 3; n < 8; n++) {
                assertMessage(stream.next(), mids.get(n), n);
            }
            mids.add(push(key, 8));
            assertMessage(stream.next(), mids.get(8), 8);
        }
        assertThat(comet.count("comet.sse.subscribed")).isEqualTo(subscribedBefore + 2);
    }

    @Test
    void aLastEventIdThatIsNotAMidIsA400NamingIt() throws Exception {
        long before = comet.count("comet.sse.rejected.since");
        HttpResponse<Stream<String>> response = get("key=sse-bad", "12x");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body().toList())
                .containsExactly(
                        "-p bad parameters: Last-Event-ID header: since is not a decimal mid:"
                                + " \"12x\"");
        assertThat(comet.count("comet.sse.rejected.since")).isEqualTo(before + 1);
    }
}
