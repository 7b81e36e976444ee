package io.pushbase.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pushbase.comet.testing.TcpClient;
import io.pushbase.comet.testing.Wire;
import io.pushbase.e2e.E2eCluster.Node;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resume on subscribe (docs/REPLAY.md) on the distribution's own processes — local HBase, a message
 * node, a comet and a web node, each started from the built distribution as a user starts them: a
 * TCP client away while 5,000 messages were pushed to its key resumes from the last mid it had and
 * receives every one of them in order after {@code +r complete}, then live ones without a
 * duplicate; the same through Server-Sent Events with {@code Last-Event-ID}; once the per-key cap
 * has trimmed messages after that mid, the same resume is told {@code +r truncated}.
 */
class ResumeIT {
    /** Kept when the test fails: every node's log is under {@code logs/}. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path temp;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final int AWAY = 5_000;

    /** The message node's per-key cap: the first message plus the 5,000, nothing more. */
    private static final int CAP = AWAY + 1;

    @Test
    void aClientAwayWhile5000MessagesWerePushedGetsAllInOrderThenLiveOnesAndLaterATruncation()
            throws Exception {
        try (E2eCluster cluster = E2eCluster.start(temp)) {
            cluster.startMessage(
                    "message-1", Map.of("PUSHBASE_STORE_MAX_PER_KEY", Integer.toString(CAP)));
            Node comet = cluster.startComet("comet-1", "comet-1");
            cluster.awaitCometRole(comet, "LEADER", Duration.ofSeconds(90));
            Node web = cluster.startWeb("web-1");
            int admin = web.port("admin");
            String key = "resume-e2e";

            long last;
            try (TcpClient before = TcpClient.subscribe(comet.port("tcp"), key, null, "1")) {
                assertThat(before.readLine()).isEqualTo("+h\r\n");
                push(admin, key, "{\"before\":1}");
                last = JSON.readTree(before.readPush()).get("mid").asLong();
            }

            long pushing = System.nanoTime();
            for (int i = 0; i < AWAY; i++) {
                push(admin, key, "{\"i\":" + i + "}");
            }
            System.out.printf(
                    "%d pushes while away: %d ms%n",
                    AWAY, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pushing));

            try (TcpClient resumed = resume(comet, key, last)) {
                assertThat(resumed.readLine()).isEqualTo("+h\r\n");
                assertThat(resumed.readLine()).isEqualTo("+r complete\r\n");
                long replaying = System.nanoTime();
                long previous = last;
                for (int i = 0; i < AWAY; i++) {
                    JsonNode message = JSON.readTree(nextMessage(resumed));
                    assertThat(message.get("msg").get("i").asInt())
                            .as("message %d", i)
                            .isEqualTo(i);
                    long mid = message.get("mid").asLong();
                    assertThat(mid).as("mid of message %d", i).isGreaterThan(previous);
                    previous = mid;
                }
                System.out.printf(
                        "%d messages replayed in %d ms%n",
                        AWAY, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - replaying));
                // Live after the replay, and nothing replayed twice: the next message is the live
                // one, with a larger mid.
                push(admin, key, "{\"live\":1}");
                JsonNode live = JSON.readTree(nextMessage(resumed));
                assertThat(live.get("msg").toString()).isEqualTo("{\"live\":1}");
                assertThat(live.get("mid").asLong()).isGreaterThan(previous);
            }

            // The same through Server-Sent Events: Last-Event-ID names the last mid the client had.
            HttpResponse<Stream<String>> sse =
                    HTTP.send(
                            HttpRequest.newBuilder(
                                            URI.create(
                                                    "http://127.0.0.1:"
                                                            + comet.port("ws")
                                                            + "/sse?key="
                                                            + key
                                                            + "&ver=1"))
                                    .header("Last-Event-ID", Long.toString(last))
                                    .build(),
                            HttpResponse.BodyHandlers.ofLines());
            assertThat(sse.statusCode()).isEqualTo(200);
            try (Stream<String> lines = sse.body()) {
                Iterator<String> events = lines.iterator();
                assertThat(nextData(events, "resume")).isEqualTo("complete");
                long previous = last;
                for (int i = 0; i < AWAY; i++) {
                    String id = nextId(events);
                    JsonNode message = JSON.readTree(nextData(events, null));
                    assertThat(message.get("msg").get("i").asInt()).as("event %d", i).isEqualTo(i);
                    assertThat(Long.parseLong(id)).isEqualTo(message.get("mid").asLong());
                    assertThat(Long.parseLong(id)).isGreaterThan(previous);
                    previous = Long.parseLong(id);
                }
                // Next: the live message pushed to the TCP client above, then nothing replayed
                // twice.
                nextId(events);
                assertThat(nextData(events, null)).contains("{\"live\":1}");
            }

            // 200 more: the key now holds more than its cap, and the message node trims it (every
            // trimEvery = 100 appends), taking the oldest messages after `last` with it.
            for (int i = 0; i < 200; i++) {
                push(admin, key, "{\"more\":" + i + "}");
            }
            try (TcpClient late = resume(comet, key, last)) {
                assertThat(late.readLine()).isEqualTo("+h\r\n");
                assertThat(late.readLine()).isEqualTo("+r truncated\r\n");
            }
        }
    }

    /** {@code sub key 30 "" 1 since}: the new message format, resuming after {@code since}. */
    private static TcpClient resume(Node comet, String key, long since) throws Exception {
        return TcpClient.send(
                comet.port("tcp"), Wire.request("sub", key, "30", "", "1", Long.toString(since)));
    }

    /** The next {@code id:} line's value, skipping comments (heartbeats). */
    private static String nextId(Iterator<String> lines) {
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.startsWith("id: ")) {
                return line.substring(4);
            }
            assertThat(line).as("before an id").matches("(:.*)?");
        }
        throw new AssertionError("the event stream ended");
    }

    /**
     * The {@code data:} of the next event of type {@code event} (null: a message, which has no
     * {@code event:} line), skipping comments and blank lines.
     */
    private static String nextData(Iterator<String> lines, String event) {
        boolean typed = event == null;
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.equals("event: " + event)) {
                typed = true;
            } else if (line.startsWith("data: ") && typed) {
                return line.substring(6);
            }
        }
        throw new AssertionError("the event stream ended");
    }

    /** The next pushed message's JSON, skipping heartbeat answers. */
    private static String nextMessage(TcpClient client) throws Exception {
        String line = client.readLine();
        while (line.equals("+h\r\n")) {
            line = client.readLine();
        }
        return client.readPushAfter(line);
    }

    private static void push(int adminPort, String key, String body) throws Exception {
        HttpResponse<String> answer =
                HTTP.send(
                        HttpRequest.newBuilder(
                                        URI.create(
                                                "http://127.0.0.1:"
                                                        + adminPort
                                                        + "/1/admin/push/private?key="
                                                        + key
                                                        + "&expire=600"))
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(answer.body()).as("push %s", body).isEqualTo("{\"ret\":0}");
    }
}
