package io.pushbase.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pushbase.e2e.browser.BrowserTab;
import io.pushbase.e2e.browser.Chromium;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The web node's console ({@code /console} on the admin port) in a real browser — Debian's
 * chromium, headless, over the DevTools protocol — against the built distribution's {@code
 * bin/pushbase standalone}, run with an admin secret. One standalone and one browser serve the
 * steps, in order, as an operator would go through an incident: open the console (not authorised
 * until the secret is typed; after a reload it loads with no browser problem at all), subscribe a
 * key on the demo page, push to it and watch the charts draw, inspect the key, push from the
 * console's form and see the demo page receive it. Every page must request nothing but this
 * standalone's ports. Screenshots of each step go to {@code target/screenshots/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserIT {
    private static final int OFFSET = 23_000;
    private static final int WEB = 8090 + OFFSET;
    private static final int ADMIN = 8091 + OFFSET;
    private static final String SECRET = "a-console-admin-secret";
    private static final String KEY = "console-key-" + System.currentTimeMillis();
    private static final Path SHOTS = Path.of("target/screenshots");
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** The health panel's rows: node, check, state, reason. */
    private static final String HEALTH_ROWS =
            "Array.from(document.querySelectorAll('#health tr'))"
                    + ".map(r => Array.from(r.cells).map(c => c.textContent))";

    private static BrowserStandalone cluster;
    private static Chromium chromium;
    private static BrowserTab console;
    private static BrowserTab demo;

    @BeforeAll
    static void start() throws Exception {
        cluster =
                BrowserStandalone.start(
                        OFFSET, Map.of("PUSHBASE_ADMIN_SECRET", SECRET), "pushbase-console-it");
        chromium = cluster.chromium();
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static String push(String key, String json) throws Exception {
        return cluster.post(ADMIN, "/1/admin/push/private?expire=600&key=" + key, json, SECRET);
    }

    /** The mids of the key's stored messages as the offline pull answers them (exact digits). */
    private static List<String> pulledMids(String key) throws Exception {
        return BrowserStandalone.mids(cluster.get(WEB, "/1/msg/get?m=0&k=" + key));
    }

    private static String text(BrowserTab tab, String id) {
        return tab.eval("document.getElementById(" + BrowserTab.quote(id) + ").textContent")
                .asText();
    }

    /** Every page request went to this standalone (the page vendors everything it uses). */
    private static void requestedOnlyTheStandalone(BrowserTab tab) {
        assertThat(tab.requests())
                .isNotEmpty()
                .allSatisfy(
                        url ->
                                assertThat(url)
                                        .matches(
                                                "(https?|wss?)://127\\.0\\.0\\.1:\\d+/.*"
                                                        + "|about:blank|data:.*"));
    }

    @Test
    @Order(1)
    void theConsoleSaysNotAuthorisedUntilTheSecretIsTypedThenLoadsWithoutABrowserProblem()
            throws Exception {
        console = chromium.open("http://127.0.0.1:" + ADMIN + "/console");
        console.waitFor(
                "document.getElementById('auth').textContent.includes('Not authorised')", WAIT);
        assertThat(
                        console.eval(
                                        "document.getElementById('secret').getAttribute('aria-invalid')")
                                .asText())
                .isEqualTo("true");
        console.screenshot(SHOTS.resolve("1-not-authorised.png"));
        // Without the secret, the only problems are the refused admin reads themselves.
        assertThat(console.problems())
                .isNotEmpty()
                .allSatisfy(p -> assertThat(p).contains("401").contains("/1/admin/nodes"));

        console.type("secret", SECRET);
        console.click("#secret-form button[type=submit]");
        console.waitFor("document.getElementById('auth').textContent === ''", WAIT);

        // A reload keeps the secret (the tab's session storage) and loads with no problem at all.
        int before = console.problems().size();
        console.navigate("http://127.0.0.1:" + ADMIN + "/console");
        console.waitFor(
                "document.getElementById('status').textContent.startsWith('updated')", WAIT);
        console.waitFor("document.getElementById('comets').textContent.includes('leader')", WAIT);
        assertThat(text(console, "auth")).isEmpty();
        // Every node's own health checks: this web node's, and the comet's and the message node's
        // as each answered them over gRPC; all passing (a check still on its first run may show
        // "no result yet" for a moment).
        console.waitFor(
                "(function(){var rows="
                        + HEALTH_ROWS
                        + ";"
                        + "var has=(node,check)=>rows.some(r=>r[0].startsWith(node)"
                        + "&&r[1]===check&&r[2]==='healthy');"
                        + "return has('web: this node','comets')&&has('web: this node','zookeeper')"
                        + "&&has('comet: ','zookeeper')&&has('comet: ','messageNodes')"
                        + "&&has('comet: ','role')&&has('message: ','hbase')"
                        + "&&has('message: ','zookeeper')&&rows.every(r=>r[2]==='healthy');})()",
                WAIT);
        JsonNode health = console.eval(HEALTH_ROWS);
        assertThat(health)
                .filteredOn(r -> r.get(0).asText().startsWith("message: "))
                .filteredOn(r -> r.get(1).asText().equals("hbase"))
                .singleElement()
                .satisfies(r -> assertThat(r.get(3).asText()).startsWith("read answered in "));
        assertThat(health)
                .filteredOn(r -> r.get(0).asText().startsWith("comet: "))
                .filteredOn(r -> r.get(1).asText().equals("role"))
                .singleElement()
                .satisfies(r -> assertThat(r.get(3).asText()).startsWith("LEADER of "));
        assertThat(text(console, "health")).doesNotContain("FAILING");
        assertThat(text(console, "health-summary")).contains("all ").contains(" passing");
        failingChecksComeFirstMarkedAsFailing();
        assertThat(text(console, "messages")).contains("127.0.0.1:");
        assertThat(console.problems().subList(before, console.problems().size())).isEmpty();
        assertThat(console.eval("sessionStorage.getItem('pushbase.adminSecret')").asText())
                .isEqualTo(SECRET);
        assertThat(console.eval("localStorage.length").asInt()).isZero();
        everyTableAndInputIsLabelled();
        console.screenshot(SHOTS.resolve("2-console-loaded.png"));
        requestedOnlyTheStandalone(console);
    }

    /**
     * How the health panel shows failing checks, rendered by the page's own code from a view with a
     * comet's failing check and a message node that did not answer (what WebFallbackIT sees the web
     * node answer): failing rows first, with the text "FAILING", shaded, and counted in the
     * caption. The page's next refresh (2 s) shows the real view again.
     */
    private static void failingChecksComeFirstMarkedAsFailing() {
        JsonNode shown =
                console.eval(
                        "(function(){window.pushbaseConsole.showHealth("
                                + "{zookeeper:{healthy:true,message:'session 0x1'}},"
                                + "{data:{comets:[{nodeName:'comet-9',id:'h:1',role:'leader',"
                                + "health:{checks:[{name:'messageNodes',healthy:false,"
                                + "message:'no message node answered'},"
                                + "{name:'role',healthy:true,message:'LEADER of comet-9'}],"
                                + "problem:null}}],messages:[{nodeName:'h:2',id:'h:2',"
                                + "health:{checks:null,"
                                + "problem:'did not answer: UNAVAILABLE: io exception'}}]}});"
                                + "return {rows:"
                                + HEALTH_ROWS
                                + ",failing:document.querySelectorAll('#health tr.failing')"
                                + ".length,summary:document.getElementById('health-summary')"
                                + ".textContent};})()");
        assertThat(shown.get("rows").get(0))
                .extracting(JsonNode::asText)
                .containsExactly(
                        "comet: comet-9 h:1 (leader)",
                        "messageNodes",
                        "FAILING",
                        "no message node answered");
        assertThat(shown.get("rows").get(1))
                .extracting(JsonNode::asText)
                .containsExactly(
                        "message: h:2",
                        "(all)",
                        "FAILING",
                        "did not answer: UNAVAILABLE: io exception");
        assertThat(shown.get("rows").get(2).get(2).asText()).isEqualTo("healthy");
        assertThat(shown.get("failing").asInt()).isEqualTo(2);
        assertThat(shown.get("summary").asText()).isEqualTo(" (2 of 4 failing)");
    }

    /** Captions, scoped headers and labels: what a screen reader needs to read the page. */
    private static void everyTableAndInputIsLabelled() {
        JsonNode unlabelled =
                console.eval(
                        // uPlot's legend tables are inside each chart's role=img, which stands for
                        // the chart (its latest values are in a text line beside it).
                        "Array.from(document.querySelectorAll('table')).filter(t =>"
                                + " !t.closest('[role=img]') && (!t.caption"
                                + " || !t.caption.textContent.trim())).map(t => t.outerHTML.slice(0, 80))"
                                + ".concat(Array.from(document.querySelectorAll('thead th'))"
                                + ".filter(th => th.scope !== 'col').map(th => th.textContent))"
                                + ".concat(Array.from(document.querySelectorAll('input, textarea'))"
                                + ".filter(i => !i.labels || !i.labels.length).map(i => i.id))");
        assertThat(unlabelled)
                .as("tables without caption, headers without scope, inputs without label")
                .isEmpty();
        assertThat(
                        console.eval(
                                        "document.querySelectorAll('[aria-live], [role=status], [role=alert]').length")
                                .asInt())
                .isGreaterThanOrEqualTo(3);
    }

    @Test
    @Order(2)
    void theChartsDrawPushesDeliveriesLatenciesBatchesAndConnections() throws Exception {
        demo = chromium.open("http://127.0.0.1:" + WEB + "/demo");
        demo.type("key", KEY);
        demo.click("#go");
        demo.waitFor("document.getElementById('state').textContent.startsWith('subscribed')", WAIT);

        // Pushes spread over several of the console's 2 s reads, so rates have two points.
        for (int i = 0; i < 40; i++) {
            assertThat(push(KEY, "{\"n\":" + i + "}")).isEqualTo("{\"ret\":0}");
            Thread.sleep(150);
        }
        demo.waitFor("document.getElementById('log').textContent.includes('{\"n\":39}')", WAIT);
        String charts = "window.pushbaseConsole.charts";
        // Series with points above 0: admin pushes/s, comet acknowledgements/s, deliveries/s ...
        console.waitFor(charts + ".rates.data.slice(1).every(s => s.some(v => v > 0))", WAIT);
        // ... the web node's and the comets' push latency p50 and p99 ...
        console.waitFor(charts + ".latency.data.slice(1).every(s => s.some(v => v > 0))", WAIT);
        // ... the comets' append batch sizes (the web node batches only what it stores itself) ...
        console.waitFor(charts + ".batch.data.slice(1, 3).every(s => s.some(v => v >= 1))", WAIT);
        // ... and one comet with the demo page's connection.
        console.waitFor(
                charts
                        + ".connections.labels.length === 1 && "
                        + charts
                        + ".connections.data[1].some(v => v >= 1)",
                WAIT);
        // Drawn, not only held: each chart's canvas has pixels of its first series' colour.
        for (String chart : List.of("c-rates", "c-latency", "c-batch", "c-conn")) {
            assertThat(strokePixels(chart))
                    .as(chart + " pixels of its first line")
                    .isGreaterThan(20);
        }
        console.screenshot(SHOTS.resolve("3-charts.png"));
        assertThat(console.problems()).allSatisfy(p -> assertThat(p).contains("401"));
    }

    /**
     * Pixels of the chart's canvas near one of its first four series' colours (console.html's
     * COLOURS): lines of equal values cover each other, so any of them counts.
     */
    private static int strokePixels(String chartId) {
        return console.eval(
                        "(function(){var c=document.querySelector('#"
                                + chartId
                                + " canvas');"
                                + "var d=c.getContext('2d').getImageData(0,0,c.width,c.height).data;"
                                + "var rgb=[[31,119,180],[214,39,40],[44,160,44],[255,127,14]];"
                                + "var n=0;for(var i=0;i<d.length;i+=4){if(d[i+3]<200)continue;"
                                + "for(var k=0;k<rgb.length;k++){if(Math.abs(d[i]-rgb[k][0])<40"
                                + "&&Math.abs(d[i+1]-rgb[k][1])<40&&Math.abs(d[i+2]-rgb[k][2])<40)"
                                + "{n++;break;}}}return n;})()")
                .asInt();
    }

    @Test
    @Order(3)
    void theKeyInspectorFindsAPushedMessageWithItsMidExpiryOwnerAndConnection() throws Exception {
        assertThat(push(KEY, "{\"inspect\":\"<b>&amp;\"}")).isEqualTo("{\"ret\":0}");
        List<String> mids = pulledMids(KEY);
        String newest = mids.get(mids.size() - 1);

        console.type("inspect-key", KEY);
        console.click("#inspect-form button");
        console.waitFor(
                "document.getElementById('i-messages').textContent.includes('<b>&amp;')", WAIT);
        JsonNode rows =
                console.eval(
                        "Array.from(document.querySelectorAll('#i-messages tr'))"
                                + ".map(r => Array.from(r.cells).map(c => c.textContent))");
        assertThat(rows).hasSize(mids.size());
        JsonNode last = rows.get(rows.size() - 1);
        assertThat(last.get(0).asText()).isEqualTo(newest);
        assertThat(last.get(1).asText()).isEqualTo("{\"inspect\":\"<b>&amp;\"}");
        assertThat(last.get(2).asText()).isNotBlank().doesNotContain("not recorded");
        assertThat(text(console, "i-head")).isEqualTo(newest);
        assertThat(text(console, "i-owner")).contains("comet").contains("127.0.0.1:");
        assertThat(text(console, "i-connections")).isEqualTo("1"); // the demo page
        // The low-water mark: a mid, below the oldest stored message (nothing trimmed or expired).
        String floor = text(console, "i-oldest");
        assertThat(floor).matches("\\d+ \\(messages up to it may be gone.*");
        assertThat(Long.parseLong(floor.substring(0, floor.indexOf(' '))))
                .isLessThan(Long.parseLong(mids.get(0)));
        // Shown as text, never as markup.
        assertThat(console.eval("document.querySelectorAll('#i-messages b').length").asInt())
                .isZero();
        console.screenshot(SHOTS.resolve("4-key-inspector.png"));
    }

    @Test
    @Order(4)
    void thePushFormsMessageReachesTheDemoPagesSubscriber() throws Exception {
        String payload = "{\"fromConsole\":" + System.nanoTime() + "}";
        console.type("push-key", KEY);
        console.type("push-msg", payload);
        console.type("push-expire", "600");
        console.click("#push-form button");
        console.waitFor(
                "document.getElementById('push-result').textContent.includes('newest stored mid')",
                WAIT);
        assertThat(text(console, "push-result")).startsWith("ret 0: pushed to " + KEY);
        demo.waitFor(
                "document.getElementById('log').textContent.includes("
                        + BrowserTab.quote(payload)
                        + ")",
                WAIT);
        List<String> mids = pulledMids(KEY);
        assertThat(text(console, "push-result")).endsWith(mids.get(mids.size() - 1));

        // A bad message is refused with the web node's reason.
        console.type("push-msg", "{not json");
        console.click("#push-form button");
        console.waitFor(
                "document.getElementById('push-result').textContent.startsWith('ret 65534')", WAIT);

        console.screenshot(SHOTS.resolve("5-push-form.png"));
        demo.screenshot(SHOTS.resolve("6-demo-received.png"));
        assertThat(demo.problems()).isEmpty();
        assertThat(console.problems()).allSatisfy(p -> assertThat(p).contains("401"));
        requestedOnlyTheStandalone(console);
        requestedOnlyTheStandalone(demo);
    }
}
