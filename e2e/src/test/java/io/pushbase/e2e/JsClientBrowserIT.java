package io.pushbase.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pushbase.e2e.browser.BrowserTab;
import io.pushbase.e2e.browser.Chromium;
import io.pushbase.e2e.browser.UpgradeRefusingProxy;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The browser client ({@code clients/js/pushbase.js}, served by the web node at {@code
 * /client/pushbase.js}) in a real browser — Debian's chromium, headless, over the DevTools protocol
 * — against the built distribution's {@code bin/pushbase standalone} with subscriber tokens on. The
 * page is the web node's own origin; each step creates clients there with the module the web node
 * serves and records their events, then checks them against what the cluster stored (the offline
 * pull's exact digits):
 *
 * <ol>
 *   <li>a push arrives over WebSocket with its exact mid (above 2^53), the token passed;
 *   <li>the comet closes the socket (the admin delete closes the key's connections on the comet,
 *       the same close a ring move makes): the client looks the comet up again and resubscribes;
 *   <li>messages pushed while it was stopped arrive on resume, in order, once;
 *   <li>a resume after messages were deleted is reported as a {@code truncated} event;
 *   <li>behind an HTTP proxy that refuses WebSocket ({@link UpgradeRefusingProxy}: the browser's
 *       {@code CONNECT} for {@code ws://} answered 403, plain requests passed; the tab in a browser
 *       context that uses it for the comet's port), it falls back to Server-Sent Events, receives
 *       and resumes there;
 *   <li>heartbeats went out as {@code h} frames;
 *   <li>a ring move: a second comet (its own JVM from the distribution, on the standalone's
 *       ZooKeeper) joins, the standalone's comet closes the connections of the keys that move, and
 *       their clients look up and subscribe on the new comet — the others keep their connection;
 *       the new comet stops and they come back;
 *   <li>acks reaching the cursor (Pushbase, acknowledgements): a client with a device id and {@code
 *       autoAck} acks what it received over its WebSocket; the web node's delivery receipts ({@code
 *       /1/admin/cursors}, {@code /1/admin/acked}) show the device at the last mid;
 *   <li>(issue 15) a resume from the device's cursor: a client acks the second of four messages and
 *       stops; a new client of the same device without a mid (a fresh page) subscribes with {@code
 *       since=@<device>} and receives exactly the two unacknowledged ones, the one pushed while no
 *       page was open, then a live one.
 * </ol>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JsClientBrowserIT {
    /**
     * Beside StandaloneIT's 20,000-22,000 and ConsoleBrowserIT's 23,000; below the ephemeral range.
     */
    private static final int OFFSET = 24_500;

    private static final int WEB = 8090 + OFFSET;
    private static final int ADMIN = 8091 + OFFSET;
    private static final int COMET_WS = 6968 + OFFSET;
    private static final String TOKEN_SECRET = "a-js-client-token-secret-of-at-least-32-bytes";
    private static final String KEY = "js-client-" + System.currentTimeMillis();
    private static final String SSE_KEY = KEY + "-sse";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern TOKEN = Pattern.compile("\"token\":\"([^\"]+)\"");
    private static final BigInteger TWO_TO_53 = BigInteger.TWO.pow(53);

    /** Keys subscribed through a ring move: about half move, all stay with 2^-12 odds. */
    private static final int RING_KEYS = 12;

    /**
     * Loads the client module into the page and defines {@code record(name, options)}: a started
     * client whose events are kept in {@code window.t[name]}.
     */
    private static final String HARNESS =
            "(async () => {"
                    + "const m = await import('/client/pushbase.js');"
                    + "window.t = {};"
                    + "window.record = (name, options) => {"
                    + "  const c = new m.PushbaseClient(options);"
                    + "  const r = {client: c, messages: [], states: [], truncated: [], errors: []};"
                    + "  c.on('message', d => r.messages.push("
                    + "    {mid: d.mid, msg: JSON.stringify(d.msg), transport: d.transport}));"
                    + "  c.on('state', d => r.states.push(d.state + (d.transport ? ':' + d.transport : '')));"
                    + "  c.on('truncated', d => r.truncated.push(d.since));"
                    + "  c.on('error', d => r.errors.push(d.error.code + ': ' + d.error.message));"
                    + "  window.t[name] = r; c.start(); return true; };"
                    + "return true; })()";

    private static BrowserStandalone cluster;
    private static Chromium chromium;
    private static BrowserTab tab;
    private static BrowserTab blocked;
    private static UpgradeRefusingProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        cluster =
                BrowserStandalone.start(
                        OFFSET,
                        Map.of("PUSHBASE_AUTH", "true", "PUSHBASE_AUTH_SECRET", TOKEN_SECRET),
                        "pushbase-jsclient-it");
        chromium = cluster.chromium();
        tab = chromium.open("http://127.0.0.1:" + WEB + "/demo");
        assertThat(tab.eval(HARNESS).asBoolean()).isTrue();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            if (proxy != null) {
                proxy.close();
            }
        }
    }

    // --- the cluster, from outside the browser ---

    private static String admin(String pathAndQuery) throws Exception {
        return cluster.post(ADMIN, pathAndQuery, "", null);
    }

    private static void push(String key, String json) throws Exception {
        assertThat(cluster.post(ADMIN, "/1/admin/push/private?expire=600&key=" + key, json, null))
                .isEqualTo("{\"ret\":0}");
    }

    private static String token(String key) throws Exception {
        Matcher m = TOKEN.matcher(admin("/1/admin/token?ttl=3600&key=" + key));
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    /** The stored mids of {@code key} as the exact-format pull answers them (its digits). */
    private static List<String> pulledMids(String key) throws Exception {
        String pulled =
                cluster.get(WEB, "/1/msg/get?m=0&ver=pushbase.1&k=" + key + "&t=" + token(key));
        assertThat(pulled).contains("\"ret\":0");
        return BrowserStandalone.mids(pulled);
    }

    // --- the page ---

    private static JsonNode recorded(BrowserTab in, String name) {
        return in.eval(
                "(() => { const r = window.t["
                        + BrowserTab.quote(name)
                        + "]; return {messages: r.messages, states: r.states, truncated:"
                        + " r.truncated, errors: r.errors, lastMid: r.client.lastMid, state:"
                        + " r.client.state, transport: r.client.transport}; })()");
    }

    private static void awaitMessages(BrowserTab in, String name, int count) {
        await(in, name, "window.t[" + BrowserTab.quote(name) + "].messages.length >= " + count);
    }

    private static void awaitConnected(BrowserTab in, String name, String transport, int times) {
        await(
                in,
                name,
                "window.t["
                        + BrowserTab.quote(name)
                        + "].states.filter(s => s === 'connected:"
                        + transport
                        + "').length >= "
                        + times);
    }

    /** Waits for {@code condition}; a failure shows what client {@code name} recorded. */
    private static void await(BrowserTab in, String name, String condition) {
        try {
            in.waitFor(condition, WAIT);
        } catch (AssertionError e) {
            throw new AssertionError(
                    e.getMessage()
                            + "\nclient "
                            + name
                            + " recorded: "
                            + recorded(in, name)
                            + "\nrequests: "
                            + in.requests()
                            + "\nbrowser problems: "
                            + in.problems(),
                    e);
        }
    }

    private static List<String> field(JsonNode messages, String name) {
        List<String> values = new ArrayList<>();
        messages.forEach(m -> values.add(m.get(name).asText()));
        return values;
    }

    private static long count(List<String> urls, String part) {
        return urls.stream().filter(u -> u.contains(part)).count();
    }

    @Test
    @Order(1)
    void aPushArrivesOverWebSocketWithItsExactMid() throws Exception {
        String token = token(KEY);
        tab.eval(
                "record('ws', {key: "
                        + BrowserTab.quote(KEY)
                        + ", token: () => Promise.resolve("
                        + BrowserTab.quote(token)
                        + "), minDelay: 200, maxDelay: 2000})");
        awaitConnected(tab, "ws", "websocket", 1);

        push(KEY, "{\"n\":1}");
        awaitMessages(tab, "ws", 1);

        JsonNode r = recorded(tab, "ws");
        String mid = r.get("messages").get(0).get("mid").asText();
        assertThat(mid).isEqualTo(pulledMids(KEY).get(0));
        assertThat(new BigInteger(mid)).isGreaterThan(TWO_TO_53);
        assertThat(r.get("lastMid").asText()).isEqualTo(mid);
        assertThat(r.get("messages").get(0).get("msg").asText()).isEqualTo("{\"n\":1}");
        assertThat(r.get("messages").get(0).get("transport").asText()).isEqualTo("websocket");
        assertThat(r.get("errors")).isEmpty();
        // It subscribed in the exact format, with its token, resuming from the time id.
        assertThat(tab.requests())
                .anySatisfy(
                        url ->
                                assertThat(url)
                                        .startsWith("ws://127.0.0.1:" + COMET_WS + "/sub?")
                                        .contains("key=" + KEY)
                                        .contains("ver=pushbase.1")
                                        .contains("token=" + token)
                                        .containsPattern("since=\\d{17,}"));
    }

    @Test
    @Order(2)
    void whenTheCometClosesTheSocketItLooksTheCometUpAgainAndResubscribes() throws Exception {
        long lookups = count(tab.requests(), "/1/server/get?k=" + KEY);

        // The admin delete makes the key's comet close its connections (KeyChannels.close, as a
        // ring move does for the keys that leave).
        assertThat(admin("/1/admin/msg/del?key=" + KEY)).isEqualTo("{\"ret\":0}");
        awaitConnected(tab, "ws", "websocket", 2);
        push(KEY, "{\"n\":2}");
        awaitMessages(tab, "ws", 2);

        JsonNode r = recorded(tab, "ws");
        List<String> states = new ArrayList<>();
        r.get("states").forEach(s -> states.add(s.asText()));
        assertThat(states)
                .containsSubsequence(
                        "connected:websocket", "disconnected", "connecting", "connected:websocket");
        assertThat(count(tab.requests(), "/1/server/get?k=" + KEY)).isEqualTo(lookups + 1);
        assertThat(r.get("messages").get(1).get("msg").asText()).isEqualTo("{\"n\":2}");
        assertThat(r.get("messages").get(1).get("mid").asText()).isEqualTo(pulledMids(KEY).get(0));
        // The delete removed nothing the client had not received: the resume was complete.
        assertThat(r.get("truncated")).isEmpty();
        assertThat(r.get("errors")).isEmpty();
    }

    @Test
    @Order(3)
    void messagesPushedWhileItWasAwayArriveOnResumeInOrderOnce() throws Exception {
        tab.eval("window.t.ws.client.stop()");
        String since = recorded(tab, "ws").get("lastMid").asText();
        for (int n = 3; n <= 5; n++) {
            push(KEY, "{\"n\":" + n + "}");
        }
        tab.eval("window.t.ws.client.start()");
        awaitMessages(tab, "ws", 5);
        Thread.sleep(1000); // nothing more may come

        JsonNode r = recorded(tab, "ws");
        assertThat(field(r.get("messages"), "msg"))
                .containsExactly("{\"n\":1}", "{\"n\":2}", "{\"n\":3}", "{\"n\":4}", "{\"n\":5}");
        List<String> mids = field(r.get("messages"), "mid");
        assertThat(mids.subList(2, 5)).isEqualTo(pulledMids(KEY).subList(1, 4));
        for (int i = 1; i < mids.size(); i++) {
            assertThat(new BigInteger(mids.get(i))).isGreaterThan(new BigInteger(mids.get(i - 1)));
        }
        assertThat(r.get("truncated")).isEmpty();
        assertThat(tab.requests()).anySatisfy(url -> assertThat(url).contains("since=" + since));
    }

    @Test
    @Order(4)
    void aResumeAfterDeletedMessagesIsReportedTruncated() throws Exception {
        tab.eval("window.t.ws.client.stop()");
        String since = recorded(tab, "ws").get("lastMid").asText();
        push(KEY, "{\"n\":6}");
        push(KEY, "{\"n\":7}");
        assertThat(admin("/1/admin/msg/del?key=" + KEY)).isEqualTo("{\"ret\":0}");
        tab.eval("window.t.ws.client.start()");
        await(tab, "ws", "window.t.ws.truncated.length === 1");
        awaitConnected(tab, "ws", "websocket", 4);
        push(KEY, "{\"n\":8}");
        awaitMessages(tab, "ws", 6);

        JsonNode r = recorded(tab, "ws");
        assertThat(r.get("truncated").get(0).asText()).isEqualTo(since);
        assertThat(field(r.get("messages"), "msg")).endsWith("{\"n\":5}", "{\"n\":8}");
        assertThat(r.get("errors")).isEmpty();
    }

    @Test
    @Order(5)
    void behindAProxyRefusingWebSocketItFallsBackToServerSentEventsAndResumesThere()
            throws Exception {
        // The comet reached through a proxy that refuses WebSocket (the web node directly).
        proxy = UpgradeRefusingProxy.start();
        blocked =
                chromium.openBehindProxy(
                        "http://127.0.0.1:" + WEB + "/demo",
                        proxy.address(),
                        List.of("127.0.0.1:" + WEB));
        assertThat(blocked.eval(HARNESS).asBoolean()).isTrue();
        blocked.eval(
                "record('sse', {key: "
                        + BrowserTab.quote(SSE_KEY)
                        + ", token: "
                        + BrowserTab.quote(token(SSE_KEY))
                        + ", minDelay: 200, maxDelay: 2000})");
        awaitConnected(blocked, "sse", "sse", 1);
        push(SSE_KEY, "{\"s\":1}");
        awaitMessages(blocked, "sse", 1);

        blocked.eval("window.t.sse.client.stop()");
        push(SSE_KEY, "{\"s\":2}");
        push(SSE_KEY, "{\"s\":3}");
        blocked.eval("window.t.sse.client.start()");
        awaitMessages(blocked, "sse", 3);

        JsonNode r = recorded(blocked, "sse");
        assertThat(field(r.get("messages"), "msg"))
                .containsExactly("{\"s\":1}", "{\"s\":2}", "{\"s\":3}");
        assertThat(field(r.get("messages"), "transport")).containsOnly("sse");
        assertThat(field(r.get("messages"), "mid")).isEqualTo(pulledMids(SSE_KEY));
        assertThat(r.get("errors")).isEmpty();
        // The browser did try WebSocket each time, and the proxy refused it; the streams passed.
        assertThat(count(blocked.requests(), "ws://127.0.0.1:" + COMET_WS + "/sub?")).isEqualTo(2);
        // (The browser's own calls out, such as autofill's, are refused too: nothing else.)
        assertThat(proxy.refused())
                .filteredOn(line -> line.contains("127.0.0.1"))
                .containsExactly(
                        "CONNECT 127.0.0.1:" + COMET_WS + " HTTP/1.1",
                        "CONNECT 127.0.0.1:" + COMET_WS + " HTTP/1.1");
        assertThat(proxy.passed())
                .hasSize(2)
                .allSatisfy(
                        line ->
                                assertThat(line)
                                        .startsWith("GET http://127.0.0.1:" + COMET_WS + "/sse?"));
        // The only problems the browser reported are the refused WebSocket handshakes.
        assertThat(blocked.problems()).allSatisfy(p -> assertThat(p).contains("ws://127.0.0.1"));
    }

    @Test
    @Order(6)
    void heartbeatsWentOutAndNothingWentWrong() throws Exception {
        // The client heartbeats every half period (15 s of its 30): wait for one if none went yet.
        await(tab, "ws", "window.t.ws.client.state === 'connected'"); // since step 4
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!tab.webSocketFramesSent().contains("h") && System.nanoTime() < deadline) {
            Thread.sleep(500);
        }
        assertThat(tab.webSocketFramesSent()).isNotEmpty().containsOnly("h");
        assertThat(recorded(tab, "ws").get("state").asText()).isEqualTo("connected");
        assertThat(tab.problems()).isEmpty();
    }

    @Test
    @Order(7)
    void aRingMoveIsFollowedToTheNewCometAndBack() throws Exception {
        BrowserTab ring = chromium.open("http://127.0.0.1:" + WEB + "/demo");
        assertThat(ring.eval(HARNESS).asBoolean()).isTrue();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < RING_KEYS; i++) {
            String key = KEY + "-ring-" + i;
            keys.add(key);
            ring.eval(
                    "record('r"
                            + i
                            + "', {key: "
                            + BrowserTab.quote(key)
                            + ", token: "
                            + BrowserTab.quote(token(key))
                            + ", minDelay: 200, maxDelay: 2000})");
        }
        for (int i = 0; i < RING_KEYS; i++) {
            awaitConnected(ring, "r" + i, "websocket", 1);
        }
        String here = "127.0.0.1:" + COMET_WS;

        BrowserStandalone.AddedComet added =
                cluster.startComet(
                        "comet-2",
                        Map.of(
                                "PUSHBASE_AUTH", "true",
                                "PUSHBASE_AUTH_SECRET", TOKEN_SECRET,
                                // standalone's own comet session, for a loaded machine
                                "PUSHBASE_COMET_ZK_SESSION_TIMEOUT", "10s"));
        String there = "127.0.0.1:" + added.ports().port("ws");
        try {
            // The keys the web node now places on the new comet (about half of them): their
            // clients were closed by the old comet and must be subscribed there.
            List<Integer> moved = awaitLookups(keys, there);
            assertThat(moved).isNotEmpty().hasSizeLessThan(RING_KEYS);
            for (int i : moved) {
                awaitServer(ring, "r" + i, there);
                push(keys.get(i), "{\"moved\":" + i + "}");
                awaitMessages(ring, "r" + i, 1);
            }
            for (int i = 0; i < RING_KEYS; i++) {
                JsonNode r = recorded(ring, "r" + i);
                if (moved.contains(i)) {
                    assertThat(r.get("messages").get(0).get("msg").asText())
                            .isEqualTo("{\"moved\":" + i + "}");
                } else {
                    // A key that stayed: its connection was never touched.
                    assertThat(r.get("states"))
                            .extracting(JsonNode::asText)
                            .containsExactly("connecting", "connected:websocket");
                    assertThat(ring.eval("window.t.r" + i + ".client.server").asText())
                            .isEqualTo(here);
                }
            }

            // The new comet stops (its clients' connections closed): back to the first one.
            added.stop();
            for (int i : moved) {
                awaitServer(ring, "r" + i, here);
                push(keys.get(i), "{\"back\":" + i + "}");
                awaitMessages(ring, "r" + i, 2);
                assertThat(field(recorded(ring, "r" + i).get("messages"), "mid"))
                        .isEqualTo(pulledMids(keys.get(i)));
            }
        } finally {
            if (added.jvm().isAlive()) {
                added.stop();
            }
        }
    }

    /** Waits until the web node's lookup names {@code server} for some key; those keys' indexes. */
    @Test
    @Order(8)
    void acksReachTheDevicesCursor() throws Exception {
        String key = KEY + "-acks";
        String token = token(key);
        tab.eval(
                "record('acker', {key: "
                        + BrowserTab.quote(key)
                        + ", token: "
                        + BrowserTab.quote(token)
                        + ", device: 'browser-1', autoAck: true, minDelay: 200, maxDelay: 2000})");
        awaitConnected(tab, "acker", "websocket", 1);
        for (int i = 1; i <= 3; i++) {
            push(key, "{\"a\":" + i + "}");
        }
        awaitMessages(tab, "acker", 3);
        List<String> mids = pulledMids(key);
        String last = mids.get(2);

        String cursor = "\"cursor\":\"" + last + "\"";
        String cursors = awaitCursor(key, cursor);
        assertThat(cursors)
                .contains("\"device\":\"browser-1\"")
                .contains(cursor)
                .contains("\"unread\":0")
                .contains("\"head\":\"" + last + "\"");
        assertThat(cluster.get(ADMIN, "/1/admin/acked?key=" + key + "&mid=" + mids.get(0)))
                .contains("\"acked\":true")
                .contains("\"devices\":[\"browser-1\"]");
        assertThat(tab.eval("window.t.acker.client.ackedMid").asText()).isEqualTo(last);
        assertThat(recorded(tab, "acker").get("errors")).isEmpty();
        // The acks went out as the protocol's request, one text frame each.
        assertThat(tab.webSocketFramesSent())
                .anySatisfy(
                        frame ->
                                assertThat(frame)
                                        .startsWith("*4\r\n$3\r\nack\r\n")
                                        .contains("browser-1"));
    }

    @Test
    @Order(9)
    void aServerSentEventsClientsAcksReachTheCursorOverHttp() throws Exception {
        String key = KEY + "-sse-acks";
        String token = token(key);
        tab.eval(
                "record('sseAcker', {key: "
                        + BrowserTab.quote(key)
                        + ", token: "
                        + BrowserTab.quote(token)
                        + ", transports: ['sse'], device: 'sse-browser', autoAck: true,"
                        + " minDelay: 200, maxDelay: 2000})");
        awaitConnected(tab, "sseAcker", "sse", 1);
        push(key, "{\"s\":1}");
        push(key, "{\"s\":2}");
        awaitMessages(tab, "sseAcker", 2);
        String last = pulledMids(key).get(1);

        String cursor = "\"cursor\":\"" + last + "\"";
        String cursors = awaitCursor(key, cursor);
        assertThat(cursors).contains("\"device\":\"sse-browser\"").contains(cursor);
        await(tab, "sseAcker", "window.t.sseAcker.client.ackedMid === " + BrowserTab.quote(last));
        assertThat(recorded(tab, "sseAcker").get("errors")).isEmpty();
        assertThat(tab.requests())
                .anySatisfy(
                        url ->
                                assertThat(url)
                                        .startsWith("http://127.0.0.1:" + COMET_WS + "/ack?")
                                        .contains("device=sse-browser")
                                        .contains("token="));
    }

    @Test
    @Order(10)
    void aNewClientOfTheSameDeviceWithoutAMidReceivesExactlyWhatItHadNotAcknowledged()
            throws Exception {
        String key = KEY + "-device-resume";
        String token = token(key);
        String options =
                "{key: "
                        + BrowserTab.quote(key)
                        + ", token: "
                        + BrowserTab.quote(token)
                        + ", device: 'browser-r', minDelay: 200, maxDelay: 2000}";
        tab.eval("record('before', " + options + ")");
        awaitConnected(tab, "before", "websocket", 1);
        for (int i = 1; i <= 4; i++) {
            push(key, "{\"r\":" + i + "}");
        }
        awaitMessages(tab, "before", 4);
        List<String> mids = pulledMids(key);
        // Processed the first two only: ack the second, then the page goes away.
        tab.eval("window.t.before.client.ack(" + BrowserTab.quote(mids.get(1)) + ")");
        String cursor = "\"cursor\":\"" + mids.get(1) + "\"";
        String cursors = awaitCursor(key, cursor);
        assertThat(cursors).contains("\"device\":\"browser-r\"").contains(cursor);
        tab.eval("window.t.before.client.stop()");
        push(key, "{\"r\":5}"); // while no page is open

        // A fresh page: the same device, no mid kept.
        tab.eval("record('after', " + options + ")");
        awaitMessages(tab, "after", 3);
        push(key, "{\"r\":6}");
        awaitMessages(tab, "after", 4);

        JsonNode r = recorded(tab, "after");
        assertThat(field(r.get("messages"), "msg"))
                .containsExactly("{\"r\":3}", "{\"r\":4}", "{\"r\":5}", "{\"r\":6}");
        assertThat(field(r.get("messages"), "mid").subList(0, 3))
                .isEqualTo(pulledMids(key).subList(2, 5));
        assertThat(r.get("truncated")).as("the cursor is recent: complete").isEmpty();
        assertThat(r.get("errors")).isEmpty();
        assertThat(tab.requests())
                .anySatisfy(
                        url ->
                                assertThat(url)
                                        .startsWith("ws://127.0.0.1:" + COMET_WS + "/sub?")
                                        .contains("key=" + key)
                                        .contains("since=@browser-r"));
    }

    /**
     * Waits (bounded) until the web node's delivery receipts of {@code key} contain {@code cursor};
     * their last answer.
     */
    private static String awaitCursor(String key, String cursor) throws Exception {
        String cursors = cluster.get(ADMIN, "/1/admin/cursors?key=" + key);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!cursors.contains(cursor) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            cursors = cluster.get(ADMIN, "/1/admin/cursors?key=" + key);
        }
        return cursors;
    }

    private static List<Integer> awaitLookups(List<String> keys, String server) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            List<Integer> there = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
                if (cluster.get(WEB, "/1/server/get?p=1&k=" + keys.get(i)).contains(server)) {
                    there.add(i);
                }
            }
            if (!there.isEmpty() || System.nanoTime() > deadline) {
                return there;
            }
            Thread.sleep(200);
        }
    }

    private static void awaitServer(BrowserTab in, String name, String server) {
        await(
                in,
                name,
                "window.t['"
                        + name
                        + "'].client.state === 'connected' && window.t['"
                        + name
                        + "'].client.server === "
                        + BrowserTab.quote(server));
    }
}
