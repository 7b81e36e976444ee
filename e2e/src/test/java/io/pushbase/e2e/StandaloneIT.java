package io.pushbase.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pushbase.comet.testing.TcpClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution as a new user meets it: {@code bin/pushbase standalone} starts ZooKeeper, HBase
 * and one node of each role; a raw TCP client and a WebSocket client subscribe; a push through the
 * admin API reaches both in their formats and is pulled with the same mid; SIGINT (Ctrl-C; SIGTERM
 * where SIGINT is ignored) stops everything with no process left behind; a restart on the same data
 * still has the message; SIGTERM stops it again cleanly. Ports are shifted by {@value #OFFSET} so a
 * standalone already running on the defaults does not matter.
 */
class StandaloneIT {
    private static final int OFFSET = 20_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir Path temp;

    private static String get(int port, String path) throws Exception {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static String post(int port, String path, String body) throws Exception {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
    }

    /** Whether this JVM was started with SIGINT ignored (then so is every child it starts). */
    private static boolean sigintIgnored() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 0x2) != 0;
            }
        }
        return false;
    }

    private static Standalone start(Path data) throws Exception {
        return Standalone.run(
                "standalone", "--data", data.toString(), "--port-offset", Integer.toString(OFFSET));
    }

    @Test
    void aWholeClusterStartsServesStopsOnASignalAndKeepsItsDataAcrossARestart() throws Exception {
        Path data = temp.resolve("data");
        long mid;
        try (Standalone standalone = start(data)) {
            Duration ready = standalone.awaitReady(Duration.ofSeconds(180));
            System.out.println("standalone ready after " + ready.toMillis() + " ms (cold)");
            assertThat(standalone.output())
                    .contains("127.0.0.1:" + (8090 + OFFSET))
                    .contains("curl -s -X POST");
            assertThat(standalone.descendants()).hasSizeGreaterThanOrEqualTo(4);

            try (TcpClient tcp = TcpClient.subscribe(6969 + OFFSET, "e2e-key", null, null)) {
                assertThat(tcp.readLine()).isEqualTo("+h\r\n");

                BlockingQueue<String> frames = new LinkedBlockingQueue<>();
                WebSocket ws =
                        HTTP.newWebSocketBuilder()
                                .buildAsync(
                                        URI.create(
                                                "ws://127.0.0.1:"
                                                        + (6968 + OFFSET)
                                                        + "/sub?key=e2e-key&heartbeat=30&ver=1"),
                                        new WebSocket.Listener() {
                                            @Override
                                            public CompletionStage<?> onText(
                                                    WebSocket w, CharSequence text, boolean last) {
                                                frames.add(text.toString());
                                                w.request(1);
                                                return null;
                                            }
                                        })
                                .get(20, TimeUnit.SECONDS);
                assertThat(frames.poll(20, TimeUnit.SECONDS)).isEqualTo("+h\r\n");

                assertThat(
                                post(
                                        8091 + OFFSET,
                                        "/1/admin/push/private?key=e2e-key&expire=600",
                                        "{\"test\":1}"))
                        .isEqualTo("{\"ret\":0}");
                String old = tcp.readPush();
                JsonNode online = JSON.readTree(frames.poll(20, TimeUnit.SECONDS));
                mid = online.get("mid").asLong();
                assertThat(online.get("msg").toString()).isEqualTo("{\"test\":1}");
                assertThat(old)
                        .isEqualTo("{\"msg\":\"{\\\"test\\\":1}\",\"mid\":" + mid + ",\"gid\":0}");
                ws.abort();
            }
            assertThat(get(8090 + OFFSET, "/1/msg/get?k=e2e-key&m=0"))
                    .isEqualTo(
                            "{\"data\":{\"msgs\":[{\"msg\":{\"test\":1},\"mid\":"
                                    + mid
                                    + ",\"gid\":0}]},\"ret\":0}");
            assertThat(get(8090 + OFFSET, "/demo")).contains("WebSocket");

            // Ctrl-C is SIGINT, unless this test runs where SIGINT is ignored (a background
            // job of a non-interactive shell, as on CI): children inherit that, so use SIGTERM.
            String signal = sigintIgnored() ? "TERM" : "INT";
            int code = standalone.signalAndWait(signal, Duration.ofSeconds(90));
            assertThat(code).as("exit after SIG" + signal).isIn(0, 130, 143);
            assertThat(standalone.output()).contains("Stopped hbase");
            for (ProcessHandle child : standalone.descendants()) {
                assertThat(child.isAlive()).as("child " + child.pid() + " left running").isFalse();
            }
        }
        assertThat(Files.isDirectory(data.resolve("hbase"))).isTrue();

        try (Standalone again = start(data)) {
            Duration ready = again.awaitReady(Duration.ofSeconds(180));
            System.out.println("standalone ready after " + ready.toMillis() + " ms (restart)");
            assertThat(get(8090 + OFFSET, "/1/msg/get?k=e2e-key&m=0"))
                    .contains("\"mid\":" + mid + ",");
            int code = again.signalAndWait("TERM", Duration.ofSeconds(90));
            assertThat(code).isIn(0, 143);
            for (ProcessHandle child : again.descendants()) {
                assertThat(child.isAlive()).as("child " + child.pid() + " left running").isFalse();
            }
        }
    }

    @Test
    void theLauncherExplainsItselfAndRefusesBadArguments() throws Exception {
        try (Standalone help = Standalone.run("--help")) {
            assertThat(help.waitFor(Duration.ofSeconds(30))).isZero();
            assertThat(help.output()).contains("pushbase standalone");
        }
        try (Standalone bad = Standalone.run("standalone", "--bogus", "1")) {
            assertThat(bad.waitFor(Duration.ofSeconds(30))).isEqualTo(2);
            assertThat(bad.output()).contains("unknown option: --bogus");
        }
        try (Standalone none = Standalone.run("comet")) {
            assertThat(none.waitFor(Duration.ofSeconds(30))).isEqualTo(2);
        }
    }
}
