package io.pushbase.bench;

import static com.google.common.util.concurrent.MoreExecutors.directExecutor;

import com.google.common.util.concurrent.Futures;
import io.pushbase.bench.ClosedLoop.Result;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web-node benchmark (issue 4): offline pull of 100 messages through the whole path (web node →
 * message node → HBase) and admin push through one web node and its comet into HBase, over HTTP/1.1
 * keep-alive connections ({@link KeepAliveHttpClient}) driven closed-loop ({@link ClosedLoop}: each
 * connection keeps exactly one request outstanding). The nodes are set up by {@link WebCluster}.
 * Run it with {@code bench/run-web-bench}; options are in {@link WebOptions}.
 *
 * <p>Scenarios: {@code pull} — {@code GET /1/msg/get?k=<key>&m=0} on keys pre-filled with 100
 * messages; {@code push} — {@code POST /1/admin/push/private?key=<key>&expire=600} with a small
 * JSON body over many keys, through the comet; {@code fallback} — the same with the comet stopped,
 * so the web node stores each push itself. Any answer that is not HTTP 200 with {@code ret 0} (or a
 * pull without exactly 100 messages) is an error ({@link WebAnswers}). After each push scenario a
 * sample of acknowledged pushes is pulled back to check they were stored ({@link PushSamples}).
 *
 * <p>Progress goes to stderr; the results (a Markdown table and the machine) go to stdout. Exits 0
 * after a complete run (failed requests are counted in the table), 1 if the run could not complete,
 * 2 on bad usage.
 */
public final class WebBenchmark {
    static final int PULL_MESSAGES = 100;
    static final long PUSH_EXPIRE_SECONDS = 600;
    private static final long SETTLE_MILLIS = 120_000;

    static final String PUSH_VIA_COMET = "Push via comet";
    static final String PUSH_NEW_KEYS = "Push via comet, first push to each key";
    static final String PUSH_NO_COMET = "Push, comet stopped (web node stores)";

    private final WebOptions options;
    private final Logger log = LoggerFactory.getLogger(WebBenchmark.class);
    private final WebAnswers answers = new WebAnswers();
    private final AtomicLong pushSeq = new AtomicLong();
    private final Path repoRoot = Path.of("").toAbsolutePath();
    private WebCluster cluster;

    /** Reconnections of the last scenario's client (0 when keep-alive held throughout). */
    private long reconnects;

    private WebBenchmark(WebOptions options) {
        this.options = options;
    }

    /** Runs the benchmark; see the class comment for arguments and exit codes. */
    public static void main(String[] args) {
        WebOptions options = BenchMain.optionsOrExit(args, WebOptions::parse);
        BenchMain.runWithStoreLogging(() -> new WebBenchmark(options).run());
    }

    private void run() throws Exception {
        Path dataDir = StoreStack.useDataDir();
        log.info(
                "Web benchmark: pre-warm {} s, per scenario warm-up {} s and measured {} s;"
                        + " {} pull keys, {} push keys; pull x{}, push x{}; scenarios {}",
                options.prewarm().toSeconds(),
                options.warmup().toSeconds(),
                options.measure().toSeconds(),
                options.pullKeys(),
                options.pushKeys(),
                options.pullConnections(),
                options.pushConnections(),
                options.scenarios());
        long started = System.nanoTime();
        List<WebReport.Row> rows = new ArrayList<>();
        String webFlags;
        cluster = WebCluster.start(repoRoot, options.needsComet());
        try {
            webFlags = cluster.webVmFlags();
            List<String> pullKeys = StoreBenchmark.keys("pull", options.pullKeys());
            prefill(pullKeys);
            prewarm(pullKeys);
            if (options.runs("pull")) {
                for (int n : options.pullConnections()) {
                    rows.add(measure(() -> pull(n, pullKeys), null));
                }
            }
            int most = options.pushConnections().stream().max(Integer::compare).orElse(32);
            if (options.runs("push")) {
                for (int n : options.pushConnections()) {
                    PushSamples samples = new PushSamples();
                    rows.add(measure(() -> push(PUSH_VIA_COMET, n, false, samples), samples));
                }
                PushSamples samples = new PushSamples();
                rows.add(measure(() -> push(PUSH_NEW_KEYS, most, true, samples), samples));
            }
            if (options.runs("fallback")) {
                cluster.stopComet();
                PushSamples samples = new PushSamples();
                rows.add(measure(() -> push(PUSH_NO_COMET, most, false, samples), samples));
            }
        } finally {
            cluster.close();
        }
        new WebReport(options, dataDir, webFlags, answers.fullyChecked())
                .print(rows, (System.nanoTime() - started) / 1e9);
    }

    /** Stores 100 messages in each pull key through the message node, then flushes. */
    private void prefill(List<String> keys) throws Exception {
        if (!options.runs("pull") && options.prewarm().isZero()) {
            return;
        }
        long t0 = System.nanoTime();
        cluster.store()
                .prefill(
                        keys,
                        PULL_MESSAGES,
                        StoreBenchmark.payload(),
                        StoreBenchmark.EXPIRE_SECONDS,
                        new MidSequence());
        log.info(
                "Pre-filled {} keys with {} messages each and flushed in {} ms",
                keys.size(),
                PULL_MESSAGES,
                (System.nanoTime() - t0) / 1_000_000);
    }

    /** Pull, then push (if a comet runs), unmeasured: the child JVMs compile their hot paths. */
    private void prewarm(List<String> pullKeys) throws Exception {
        if (options.prewarm().isZero()) {
            return;
        }
        Duration half = options.prewarm().dividedBy(options.needsComet() ? 2 : 1);
        Result r = pull(4, pullKeys, Duration.ZERO, half);
        log.info("Pre-warm pull: {} req/s, {} errors", Math.round(r.callsPerSecond()), r.errors());
        if (options.needsComet()) {
            r = push("pre-warm push", 32, false, new PushSamples(), Duration.ZERO, half);
            log.info(
                    "Pre-warm push: {} req/s, {} errors",
                    Math.round(r.callsPerSecond()),
                    r.errors());
        }
    }

    // ---- scenarios ------------------------------------------------------------------------

    private Result pull(int connections, List<String> keys) throws Exception {
        return pull(connections, keys, options.warmup(), options.measure());
    }

    private Result pull(int connections, List<String> keys, Duration warmup, Duration measure)
            throws Exception {
        InetSocketAddress api = cluster.webApi();
        KeepAliveHttpClient.Request[] requests = new KeepAliveHttpClient.Request[keys.size()];
        for (int i = 0; i < requests.length; i++) {
            requests[i] = KeepAliveHttpClient.get(api, "/1/msg/get?k=" + q(keys.get(i)) + "&m=0");
        }
        try (KeepAliveHttpClient http = new KeepAliveHttpClient("pull", api, connections)) {
            Result r =
                    ClosedLoop.run(
                            "Pull (" + PULL_MESSAGES + " messages)",
                            connections,
                            warmup,
                            measure,
                            caller ->
                                    Futures.transform(
                                            http.send(caller, requests[random(requests.length)]),
                                            reply -> answers.pull(reply, PULL_MESSAGES),
                                            directExecutor()));
            reconnects = http.reconnects();
            return r;
        }
    }

    private Result push(String name, int connections, boolean newKeys, PushSamples samples)
            throws Exception {
        return push(name, connections, newKeys, samples, options.warmup(), options.measure());
    }

    /**
     * Pushes closed-loop: to random keys of {@code options.pushKeys()} (after the pre-warm each
     * normally has a head already), or with {@code newKeys} to a key never pushed to before (the
     * message node's first-append path).
     */
    private Result push(
            String name,
            int connections,
            boolean newKeys,
            PushSamples samples,
            Duration warmup,
            Duration measure)
            throws Exception {
        InetSocketAddress admin = cluster.webAdmin();
        try (KeepAliveHttpClient http = new KeepAliveHttpClient("push", admin, connections)) {
            Result r =
                    ClosedLoop.run(
                            name,
                            connections,
                            warmup,
                            measure,
                            caller -> {
                                long seq = pushSeq.incrementAndGet();
                                String key =
                                        newKeys
                                                ? "bench:new:" + seq
                                                : pushKey(random(options.pushKeys()));
                                byte[] body =
                                        ("{\"type\":\"bench\",\"seq\":" + seq + ",\"text\":\"hi\"}")
                                                .getBytes(StandardCharsets.US_ASCII);
                                String path =
                                        "/1/admin/push/private?key="
                                                + q(key)
                                                + "&expire="
                                                + PUSH_EXPIRE_SECONDS;
                                return Futures.transform(
                                        http.send(
                                                caller,
                                                KeepAliveHttpClient.postJson(admin, path, body)),
                                        reply -> samples.offer(WebAnswers.push(reply), key, seq),
                                        directExecutor());
                            });
            reconnects = http.reconnects();
            return r;
        }
    }

    // ---- measuring ------------------------------------------------------------------------

    @FunctionalInterface
    private interface Scenario {
        Result run() throws Exception;
    }

    /**
     * Settles the store, runs a scenario and notes what else happened meanwhile: CPU per process,
     * the load average, reconnections, the web node's log growth and (for pushes) the sample check.
     */
    private WebReport.Row measure(Scenario scenario, PushSamples samples) throws Exception {
        log.info(
                "Store settled (trims done, flushed, no compaction) in {} ms",
                cluster.store().settle(SETTLE_MILLIS));
        String loadBefore = loadAverage();
        long webLogBefore = Files.size(cluster.webLog());
        CpuUsage cpu = CpuUsage.now(cluster.children());
        Result r = scenario.run();
        CpuUsage after = CpuUsage.now(cluster.children());
        long webLogGrowth = Files.size(cluster.webLog()) - webLogBefore;
        String benchJvm = "benchmark JVM (HBase, message node, load generator)";
        StringBuilder notes = new StringBuilder(after.since(cpu).replace("this JVM", benchJvm));
        notes.append("; CPU per request (warm-up included) ")
                .append(
                        after.perRequest(cpu, r.callsPerSecond())
                                .replace("this JVM", "benchmark JVM"));
        notes.append(
                String.format(Locale.ROOT, "; load average %s → %s", loadBefore, loadAverage()));
        notes.append("; reconnections ").append(reconnects);
        notes.append(String.format(Locale.ROOT, "; web node log +%,d bytes", webLogGrowth));
        if (samples != null) {
            notes.append("; ").append(samples.verify(cluster.webApi()));
        }
        WebReport.Row row = new WebReport.Row(r, notes.toString());
        WebReport.log(log, row);
        return row;
    }

    /** The 1, 5 and 15 minute load averages ({@code /proc/loadavg}), or "unknown". */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (Exception e) {
            return "unknown";
        }
    }

    static String pushKey(int i) {
        return String.format(Locale.ROOT, "bench:push:user%06d", i);
    }

    static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static int random(int bound) {
        return ThreadLocalRandom.current().nextInt(bound);
    }
}
