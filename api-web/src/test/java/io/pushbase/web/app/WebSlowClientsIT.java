package io.pushbase.web.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.ConfigOverride;
import io.pushbase.web.testing.WebTestCluster;
import io.pushbase.web.testing.WebTestCluster.Web;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Slowloris against the web node as it ships ({@code web.yml}, listener type {@code pushbase-http})
 * in a scaled-down configuration: the application port takes at most {@value #CAP} connections and
 * a request's headers must be complete within {@value #HEADER_TIMEOUT_MS} ms. Over real sockets: a
 * client trickling its headers a byte at a time (faster than any idle timeout) is closed within the
 * deadline and counted; twice as many such clients as the cap, reconnecting as soon as they are
 * closed, keep the application port saturated, yet a real lookup on it is answered, and the admin
 * port (its own cap) answers a push and its metrics at once. The same clients on the admin port
 * (capped at {@value #CAP} here too, as app servers' pools fill it) leave the operators' listener
 * answering its metrics.
 */
class WebSlowClientsIT {
    private static final int CAP = 8;
    private static final long HEADER_TIMEOUT_MS = 2_000;
    private static final long TRICKLE_MS = 300;

    private static WebTestCluster cluster;
    private static Web web;

    @BeforeAll
    static void start() throws Exception {
        cluster = new WebTestCluster(1);
        web =
                cluster.startWeb(
                        override("server.applicationConnectors[0].maxConnections", "" + CAP),
                        override("server.adminConnectors[0].maxConnections", "" + CAP),
                        override(
                                "server.applicationConnectors[0].requestHeaderTimeout",
                                HEADER_TIMEOUT_MS + "ms"),
                        override(
                                "server.adminConnectors[0].requestHeaderTimeout",
                                HEADER_TIMEOUT_MS + "ms"));
    }

    private static ConfigOverride override(String key, String value) {
        return ConfigOverride.config(WebTestCluster.PREFIX, key, value);
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aClientTricklingItsHeadersIsClosedWithinTheDeadlineAndCounted() throws Exception {
        double before = meterCount("web.http.application.headerTimeouts");
        try (Socket socket = new Socket("127.0.0.1", web.port())) {
            long start = System.nanoTime();
            long open = trickleUntilClosed(socket, "GET /1/time/get HTTP/1.1\r\nX-Slow: ");
            assertThat(open)
                    .as("closed %d ms after connecting", open)
                    .isBetween(HEADER_TIMEOUT_MS - 100, HEADER_TIMEOUT_MS + 1_500);
            assertThat(millisSince(start)).isLessThan(HEADER_TIMEOUT_MS + 2_000);
        }
        // A kept-alive connection idles longer than the deadline between requests (that is the
        // idle timeout's business), but its next request's headers have the deadline again.
        try (Socket socket = new Socket("127.0.0.1", web.port())) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(ascii("GET /1/time/get HTTP/1.1\r\nHost: web\r\n\r\n"));
            out.flush();
            assertThat(readResponseHead(socket.getInputStream())).startsWith("HTTP/1.1 200");
            skipBody(socket.getInputStream());
            Thread.sleep(HEADER_TIMEOUT_MS + 1_000);
            long open = trickleUntilClosed(socket, "GET /1/time/get HTTP/1.1\r\nX-Slow: ");
            assertThat(open).isBetween(HEADER_TIMEOUT_MS - 100, HEADER_TIMEOUT_MS + 1_500);
        }
        assertThat(meterCount("web.http.application.headerTimeouts") - before).isEqualTo(2);
    }

    @Test
    void slowClientsAtTheCapStarveNeitherALookupNorTheAdminPort() throws Exception {
        double limitsBefore = meterCount("web.http.application.limitReached");
        AtomicBoolean attacking = new AtomicBoolean(true);
        List<Thread> attackers = attack(web.port(), attacking);
        try {
            // The application port fills up to its cap.
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (gauge("web.http.application.connections") < CAP) {
                assertThat(System.nanoTime()).as("the cap is reached").isLessThan(deadline);
                Thread.sleep(50);
            }
            assertThat(meterCount("web.http.application.limitReached")).isGreaterThan(limitsBefore);

            // The admin port is not part of that budget: a push is answered at once.
            long pushStart = System.nanoTime();
            HttpResponse<String> push =
                    web.post("/1/admin/push/private?key=slowloris&expire=60", "{\"a\":1}");
            assertThat(push.body()).isEqualTo("{\"ret\":0}");
            assertThat(millisSince(pushStart)).isLessThan(HEADER_TIMEOUT_MS);
            assertThat(gauge("web.http.application.connections")).isEqualTo(CAP);

            // A real lookup on the saturated port waits in the accept queue for a slot the
            // deadline frees, then is answered.
            long lookupStart = System.nanoTime();
            HttpResponse<String> lookup = web.get("/1/server/get?k=slowloris&p=2");
            long waited = millisSince(lookupStart);
            System.out.printf(
                    "lookup answered after %d ms behind %d slow clients%n", waited, 2 * CAP);
            assertThat(lookup.statusCode()).isEqualTo(200);
            assertThat(lookup.body()).startsWith("{").contains("\"ret\":");
            assertThat(waited).isLessThan(5 * HEADER_TIMEOUT_MS);
        } finally {
            stop(attacking, attackers);
        }
        assertThat(meterCount("web.http.application.headerTimeouts")).isGreaterThanOrEqualTo(CAP);
    }

    @Test
    void clientsHoldingEveryAdminConnectionLeaveTheOperatorsListenerAnswering() throws Exception {
        AtomicBoolean attacking = new AtomicBoolean(true);
        List<Thread> attackers = attack(web.adminPort(), attacking);
        try {
            // The admin port fills up to its cap; its metrics are read where operators read them.
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (gauge(web.opsPort(), "web.http.admin.connections") < CAP) {
                assertThat(System.nanoTime()).as("the admin cap is reached").isLessThan(deadline);
                Thread.sleep(50);
            }
            long start = System.nanoTime();
            HttpResponse<String> scrape = web.send(web.opsPort(), "GET", "/metrics", null, null);
            long answered = millisSince(start);
            System.out.printf(
                    "operators' listener answered after %d ms, admin port at its cap%n", answered);
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.body()).contains("\"web.push.inFlight\"");
            assertThat(answered).isLessThan(HEADER_TIMEOUT_MS);
            assertThat(gauge(web.opsPort(), "web.http.admin.connections")).isEqualTo(CAP);
            assertThat(gauge(web.opsPort(), "web.http.ops.connections")).isBetween(1L, 64L);
        } finally {
            stop(attacking, attackers);
        }
    }

    /**
     * Twice {@value #CAP} clients trickling their headers to {@code port}, each connecting again as
     * soon as it is closed, until {@code attacking} is cleared.
     */
    private static List<Thread> attack(int port, AtomicBoolean attacking) {
        List<Thread> attackers = new ArrayList<>();
        for (int i = 0; i < 2 * CAP; i++) {
            Thread attacker =
                    new Thread(
                            () -> {
                                while (attacking.get()) {
                                    try (Socket socket = new Socket("127.0.0.1", port)) {
                                        trickleWhile(socket, attacking);
                                    } catch (IOException | InterruptedException e) {
                                        // closed or refused: connect again
                                    }
                                }
                            },
                            "slowloris-" + port + "-" + i);
            attacker.setDaemon(true);
            attacker.start();
            attackers.add(attacker);
        }
        return attackers;
    }

    private static void stop(AtomicBoolean attacking, List<Thread> attackers)
            throws InterruptedException {
        attacking.set(false);
        for (Thread attacker : attackers) {
            attacker.join(10_000);
        }
    }

    /** Writes {@code prefix}, then one byte every {@value #TRICKLE_MS} ms; ms until closed. */
    private static long trickleUntilClosed(Socket socket, String prefix) throws IOException {
        long start = System.nanoTime();
        socket.setSoTimeout((int) TRICKLE_MS);
        OutputStream out = socket.getOutputStream();
        out.write(ascii(prefix));
        out.flush();
        while (millisSince(start) < 10 * HEADER_TIMEOUT_MS) {
            try {
                out.write('x');
                out.flush();
                int b = socket.getInputStream().read();
                assertThat(b).as("no answer, only a close").isEqualTo(-1);
                return millisSince(start);
            } catch (SocketTimeoutException stillOpen) {
                // next byte
            } catch (SocketException closed) {
                return millisSince(start);
            }
        }
        throw new AssertionError("still open " + millisSince(start) + " ms after connecting");
    }

    private static void trickleWhile(Socket socket, AtomicBoolean attacking)
            throws IOException, InterruptedException {
        OutputStream out = socket.getOutputStream();
        out.write(ascii("GET /1/time/get HTTP/1.1\r\nX-Slow: "));
        out.flush();
        while (attacking.get()) {
            Thread.sleep(TRICKLE_MS);
            out.write('x');
            out.flush();
        }
    }

    private static String readResponseHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed inside the response head: " + head);
            }
            head.append((char) b);
        }
        lastHead = head.toString();
        return lastHead;
    }

    private static String lastHead;

    private static void skipBody(InputStream in) throws IOException {
        Matcher m = Pattern.compile("(?i)content-length: *(\\d+)").matcher(lastHead);
        assertThat(m.find()).as("a Content-Length in %s", lastHead).isTrue();
        in.readNBytes(Integer.parseInt(m.group(1)));
    }

    private static long millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static String metrics() throws Exception {
        return metrics(web.adminPort());
    }

    private static String metrics(int port) throws Exception {
        HttpResponse<String> response = web.send(port, "GET", "/metrics", null, null);
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private static double meterCount(String name) throws Exception {
        Matcher m =
                Pattern.compile("\"" + Pattern.quote(name) + "\":\\{\"count\":(\\d+)")
                        .matcher(metrics());
        assertThat(m.find()).as("meter %s in /metrics", name).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static long gauge(String name) throws Exception {
        return gauge(web.adminPort(), name);
    }

    private static long gauge(int port, String name) throws Exception {
        Matcher m =
                Pattern.compile("\"" + Pattern.quote(name) + "\":\\{\"value\":(\\d+)")
                        .matcher(metrics(port));
        assertThat(m.find()).as("gauge %s in /metrics", name).isTrue();
        return Long.parseLong(m.group(1));
    }
}
