package io.pushbase.bench;

import static com.google.common.util.concurrent.MoreExecutors.directExecutor;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import io.pushbase.bench.ClosedLoop.Outcome;
import io.pushbase.bench.StandaloneReport.LoopRow;
import io.pushbase.bench.StandaloneReport.PushScenario;
import io.pushbase.bench.StandaloneReport.PushWindow;
import io.pushbase.bench.StandaloneReport.RateRow;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone benchmark (issue 11, item 1): measures the distribution as users run it. Starts
 * {@code bin/pushbase standalone} of the built distribution as a child process ({@link
 * StandaloneServer}: its own JVM flags, its separate HBase process, its logging; fresh data under
 * {@code bench/target}), waits for its banner, drives it over loopback sockets as an app server and
 * its clients do, stops it by its handle, and prints a Markdown report with the machine.
 *
 * <p>Scenarios, the same as the independent Go load generator's (loadgen, written outside the
 * project), so the two can be compared:
 *
 * <ul>
 *   <li>a — durable push, closed loop: {@code --subscribers} TCP subscribers (RESP {@code sub} with
 *       heartbeat 30, an empty token and version 1.0: the new message format; {@link
 *       TcpSubscribers}), {@code --workers} keep-alive HTTP connections each looping {@code POST
 *       /1/admin/push/private?key=<random subscribed key>&expire=600} with body {@code
 *       {"t":..,"i":..}} ({@link ClosedLoop}). A cold window right after the banner, then, with the
 *       load going on, a warm one. Correctness: every acknowledged push delivered exactly once to
 *       its key's subscriber and nothing else delivered ({@link PushLedger}), and a sample of keys
 *       pulled: each acknowledged push stored under the very mid it was delivered with, ascending
 *       ({@link StoreCheck}).
 *   <li>b — open model ({@link OpenLoop}): pushes at each offered rate whatever the answers do,
 *       latency from the intended send time.
 *   <li>d — offline pull: 200 keys pre-filled with 100 messages each, then {@code GET
 *       /1/msg/get?k=K&m=0} closed-loop at 1 and 8 clients, every answer checked to hold 100
 *       messages in ascending mid order ({@link WebAnswers}).
 *   <li>r — reconnects (only with {@code --only}; not a load generator scenario): 8 clients each
 *       looking a key up, then pulling it, closed loop, in a cold and a warm window as a's; it runs
 *       first, so that its cold window meets the server as a's would.
 * </ul>
 *
 * <p>Every window also records the CPU time (utime + stime from {@code /proc/<pid>/stat}) and GC
 * pauses (hsperfdata) of each server process — the launcher and its descendants, named by role
 * ({@link ServerProcesses}) — and of this load generator, read exactly at the window's start and
 * end. The load generator is one HTTP selector thread and one subscriber selector thread, so it
 * takes little of the cores it shares with the server.
 *
 * <p>Exits 0 after a complete run whose checks all passed, 1 when a check failed or the run could
 * not complete, 2 on bad usage. Threading: {@link #run} on the main thread; the load's callbacks on
 * the clients' threads.
 */
public final class StandaloneBenchmark {
    static final long EXPIRE_SECONDS = 600;

    /** b and d: load before each rate's or client count's window. */
    static final Duration STEP_WARMUP = Duration.ofSeconds(2);

    static final int PULL_KEYS = 200;
    static final int PULL_MESSAGES = 100;
    static final List<Integer> PULL_CLIENTS = List.of(1, 8);

    /** r: clients reconnecting at once, and the keys they are (no subscriber, no message). */
    static final int RECONNECT_CLIENTS = 8;

    static final int RECONNECT_KEYS = 1000;

    /** a: keys pulled back for the store check. */
    static final int STORE_SAMPLE = 50;

    private static final Duration BANNER_TIMEOUT = Duration.ofSeconds(240);

    /**
     * The web node's meter of pushes it stored itself because their comet failed them: such a push
     * is acknowledged and stored but never delivered live, which the delivery check counts.
     */
    private static final Pattern WEB_STORED =
            Pattern.compile("\"web\\.push\\.fallback\":\\{\"count\":(\\d+)");

    private static final Duration PAUSE_BETWEEN = Duration.ofSeconds(2);

    /** The subscribers' heartbeat and client version, as the Go load generator subscribes. */
    private static final TcpSubscribers.Subscription SUBSCRIPTION =
            new TcpSubscribers.Subscription(30, "1.0", true);

    private final Logger log = LoggerFactory.getLogger(StandaloneBenchmark.class);
    private final StandaloneBenchOptions options;
    private final String runId = "sb" + System.currentTimeMillis() / 1000 % 1_000_000;

    /** Origin of the {@code t} in push bodies. */
    private final long base = System.nanoTime();

    private final AtomicLong seq = new AtomicLong();
    private final WebAnswers answers = new WebAnswers();
    private StandaloneServer server;

    /** The ledger the subscribers report to: one per push scenario (each rate of b its own). */
    private volatile PushLedger ledger = new PushLedger(1, 1);

    private StandaloneBenchmark(StandaloneBenchOptions options) {
        this.options = options;
    }

    /** Runs the benchmark; see the class comment for the exit codes. */
    public static void main(String[] args) {
        StandaloneBenchOptions options =
                BenchMain.optionsOrExit(args, StandaloneBenchOptions::parse);
        BenchMain.runAndExit(() -> new StandaloneBenchmark(options).run());
    }

    private void run() throws Exception {
        long started = System.nanoTime();
        Path data = null;
        StandaloneReport report = new StandaloneReport(options);
        if (options.external()) {
            server = StandaloneServer.external(options.portOffset(), options.pid());
            log.info("Driving the standalone at port offset {}", options.portOffset());
        } else {
            Path target = Path.of("bench/target").toAbsolutePath();
            Files.createDirectories(target);
            data = Files.createTempDirectory(target, "standalone-bench-");
            log.info("Starting {}/bin/pushbase standalone, data {}", options.dist(), data);
            server =
                    StandaloneServer.start(
                            options.dist(),
                            data,
                            options.portOffset(),
                            data.resolve("logs").resolve("launcher.log"),
                            BANNER_TIMEOUT);
        }
        report.server(server, data, server.started() ? server.startSeconds() : -1);
        try (StandaloneServer running = server) {
            log.info("Server processes: {}", running.processes().pids());
            if (options.runs("r")) {
                reconnects(report);
                Thread.sleep(PAUSE_BETWEEN.toMillis());
            }
            List<String> keys = StoreBenchmark.keys(runId + "-sub", options.subscribers());
            if (options.needsSubscribers()) {
                try (TcpSubscribers subs =
                        TcpSubscribers.open(
                                running.cometTcp(),
                                keys,
                                SUBSCRIPTION,
                                (s, body, length, at) -> ledger.frame(s, body, length, at))) {
                    log.info("{} TCP subscribers on the comet", keys.size());
                    if (options.runs("a")) {
                        report.push(pushClosedLoop(keys));
                        Thread.sleep(PAUSE_BETWEEN.toMillis());
                    }
                    if (options.runs("b")) {
                        for (int rate : options.rates()) {
                            report.rate(pushOpenModel(keys, rate));
                            Thread.sleep(PAUSE_BETWEEN.toMillis());
                        }
                    }
                    report.subscribersClosed(subs.closedByServer(), subs.errorReplies());
                }
            }
            if (options.runs("d")) {
                offlinePull(report);
            }
            report.exited(running.processes().exited());
        }
        if (data != null) {
            removeData(data);
        }
        report.print((System.nanoTime() - started) / 1e9);
        List<String> failures = report.failures();
        if (!failures.isEmpty()) {
            throw new BenchMain.ChecksFailed(String.join("; ", failures));
        }
    }

    // ---- a: durable push, closed loop ------------------------------------------------------

    private PushScenario pushClosedLoop(List<String> keys) throws Exception {
        PushLedger pushes = new PushLedger(keys.size(), seq.get() + 1);
        ledger = pushes;
        long webStored = webStored();
        InetSocketAddress admin = server.webAdmin();
        List<ServerUsage.Window> marks = List.of(window(), window());
        List<ClosedLoop.Result> results = new ArrayList<>();
        long reconnects;
        try (KeepAliveHttpClient http = new KeepAliveHttpClient("push", admin, options.workers())) {
            ClosedLoop.Operation push =
                    caller -> {
                        long s = seq.incrementAndGet();
                        long now = System.nanoTime();
                        return push(http, caller, admin, keys, pushes, s, now);
                    };
            // The warm window follows the cold one with the load going on in between.
            List<Duration> warmups = List.of(options.warmupCold(), options.warmupWarm());
            for (int i = 0; i < warmups.size(); i++) {
                String name = i == 0 ? "cold" : "warm";
                log.info(
                        "a: {} workers, {}: {} s warm-up + {} s measured",
                        options.workers(),
                        name,
                        warmups.get(i).toSeconds(),
                        options.measure().toSeconds());
                results.add(
                        logged(
                                ClosedLoop.run(
                                        name,
                                        options.workers(),
                                        warmups.get(i),
                                        options.measure(),
                                        push,
                                        marks.get(i))));
            }
            reconnects = http.reconnects();
        }
        log.info("a: {} pushes acknowledged; waiting for deliveries", pushes.ackCount());
        pushes.awaitDeliveries(Duration.ofSeconds(3), Duration.ofSeconds(20));
        PushLedger.Delivery delivery = pushes.match();
        StoreCheck.Result stored =
                StoreCheck.run(server.webApi(), keys, pushes, delivery, STORE_SAMPLE, seq.get());
        List<PushWindow> windows = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            ServerUsage.Window m = marks.get(i);
            windows.add(
                    new PushWindow(
                            results.get(i).scenario(),
                            (m.startNanos() - server.readyNanos()) / 1e9,
                            (m.endNanos() - server.readyNanos()) / 1e9,
                            results.get(i),
                            pushes.receiveLatency(delivery, m.startNanos(), m.endNanos()),
                            m.usage()));
        }
        log.info(
                "a: delivered {} of {} acknowledged, {} missing, {} duplicates, {} unacknowledged;"
                        + " store check: {} of {} expected missing, {} mid mismatches",
                delivery.delivered(),
                delivery.acked(),
                delivery.missing(),
                delivery.duplicates(),
                delivery.unacked(),
                stored.missing(),
                stored.expected(),
                stored.midMismatch());
        return new PushScenario(
                windows, delivery, stored, since(webStored, webStored()), reconnects);
    }

    /**
     * One admin push of sequence number {@code s} to its key, sent at {@code sentNanos}; an answer
     * {@code {"ret":0}} is recorded in {@code pushes} as acknowledged.
     */
    private ListenableFuture<Outcome> push(
            KeepAliveHttpClient http,
            int connection,
            InetSocketAddress admin,
            List<String> keys,
            PushLedger pushes,
            long s,
            long sentNanos) {
        String path =
                "/1/admin/push/private?key="
                        + WebBenchmark.q(keys.get(pushes.keyOf(s)))
                        + "&expire="
                        + EXPIRE_SECONDS;
        KeepAliveHttpClient.Request request =
                KeepAliveHttpClient.postJson(admin, path, PushLedger.body(sentNanos - base, s));
        return Futures.transform(
                http.send(connection, request),
                reply -> {
                    Outcome outcome = WebAnswers.push(reply);
                    if (outcome.problem() == null) {
                        pushes.acked(s, sentNanos);
                    }
                    return outcome;
                },
                directExecutor());
    }

    private ClosedLoop.Result logged(ClosedLoop.Result r) {
        WebReport.log(log, new WebReport.Row(r, "measured"));
        return r;
    }

    // ---- b: open model ---------------------------------------------------------------------

    private RateRow pushOpenModel(List<String> keys, int rate) throws Exception {
        PushLedger pushes = new PushLedger(keys.size(), seq.get() + 1);
        ledger = pushes;
        long webStored = webStored();
        InetSocketAddress admin = server.webAdmin();
        ServerUsage.Window marks = window();
        log.info(
                "b: {} pushes/s offered, {} s warm-up + {} s measured",
                rate,
                STEP_WARMUP.toSeconds(),
                options.measure().toSeconds());
        OpenLoop.Result r;
        long opened;
        try (KeepAliveHttpClient http =
                KeepAliveHttpClient.lazy("open-push", admin, options.maxInflight())) {
            r =
                    OpenLoop.run(
                            rate,
                            STEP_WARMUP,
                            options.measure(),
                            options.maxInflight(),
                            (connection, intended) ->
                                    push(
                                            http,
                                            connection,
                                            admin,
                                            keys,
                                            pushes,
                                            seq.incrementAndGet(),
                                            intended),
                            marks);
            opened = http.opened();
        }
        pushes.awaitDeliveries(Duration.ofSeconds(2), Duration.ofSeconds(10));
        PushLedger.Delivery delivery = pushes.match();
        RateRow row =
                new RateRow(
                        r,
                        pushes.receiveLatency(delivery, marks.startNanos(), marks.endNanos()),
                        delivery,
                        StoreCheck.run(
                                server.webApi(), keys, pushes, delivery, STORE_SAMPLE, seq.get()),
                        since(webStored, webStored()),
                        marks.usage(),
                        opened);
        log.info(
                "b: {}/s offered: {}/s achieved, p99 {} ms from the intended time, {} errors,"
                        + " {} acknowledged but not delivered; {}",
                rate,
                Math.round(r.achievedPerSecond()),
                StoreBenchmark.millis(r.latencyMicros().getValueAtPercentile(99)),
                r.errors(),
                delivery.missing(),
                row.usage().cpuLine());
        return row;
    }

    // ---- r: reconnects --------------------------------------------------------------------

    /**
     * Clients reconnecting as a gopush-cluster client does after losing its comet: each looks its
     * key up ({@code /1/server/get?k=K&p=2}), then pulls what it missed ({@code
     * /1/msg/get?k=K&m=0}, an empty mailbox here), one after the other on its keep-alive
     * connection, closed loop; a cold window {@code --warmup-cold} after the banner and a warm one
     * {@code --warmup-warm} later, as a's. The routes every reconnect meets first on a web node
     * that has not run them yet.
     */
    private void reconnects(StandaloneReport report) throws Exception {
        List<String> keys = StoreBenchmark.keys(runId + "-reconnect", RECONNECT_KEYS);
        InetSocketAddress api = server.webApi();
        KeepAliveHttpClient.Request[] lookups = new KeepAliveHttpClient.Request[keys.size()];
        KeepAliveHttpClient.Request[] pulls = new KeepAliveHttpClient.Request[keys.size()];
        for (int i = 0; i < keys.size(); i++) {
            String k = WebBenchmark.q(keys.get(i));
            lookups[i] = KeepAliveHttpClient.get(api, "/1/server/get?k=" + k + "&p=2");
            pulls[i] = KeepAliveHttpClient.get(api, "/1/msg/get?k=" + k + "&m=0");
        }
        List<ServerUsage.Window> marks = List.of(window(), window());
        List<Duration> warmups = List.of(options.warmupCold(), options.warmupWarm());
        try (KeepAliveHttpClient http =
                new KeepAliveHttpClient("reconnect", api, RECONNECT_CLIENTS)) {
            ClosedLoop.Operation reconnect =
                    caller -> {
                        int key = ThreadLocalRandom.current().nextInt(keys.size());
                        return Futures.transformAsync(
                                http.send(caller, lookups[key]),
                                reply -> {
                                    Outcome found = WebAnswers.lookup(reply);
                                    if (found.problem() != null) {
                                        return Futures.immediateFuture(found);
                                    }
                                    return Futures.transform(
                                            http.send(caller, pulls[key]),
                                            WebAnswers::emptyPull,
                                            directExecutor());
                                },
                                directExecutor());
                    };
            for (int i = 0; i < warmups.size(); i++) {
                String name = i == 0 ? "cold" : "warm";
                log.info(
                        "r: {} clients, {}: {} s warm-up + {} s measured",
                        RECONNECT_CLIENTS,
                        name,
                        warmups.get(i).toSeconds(),
                        options.measure().toSeconds());
                ClosedLoop.Result r =
                        logged(
                                ClosedLoop.run(
                                        name,
                                        RECONNECT_CLIENTS,
                                        warmups.get(i),
                                        options.measure(),
                                        reconnect,
                                        marks.get(i)));
                ServerUsage.Window m = marks.get(i);
                report.reconnect(
                        new LoopRow(
                                String.format(
                                        Locale.ROOT,
                                        "%s: %.0f–%.0f s",
                                        name,
                                        (m.startNanos() - server.readyNanos()) / 1e9,
                                        (m.endNanos() - server.readyNanos()) / 1e9),
                                r,
                                m.usage()));
            }
        }
    }

    // ---- d: offline pull -------------------------------------------------------------------

    private void offlinePull(StandaloneReport report) throws Exception {
        List<String> keys = StoreBenchmark.keys(runId + "-pull", PULL_KEYS);
        InetSocketAddress admin = server.webAdmin();
        log.info("d: pre-filling {} keys x {} messages", PULL_KEYS, PULL_MESSAGES);
        long t0 = System.nanoTime();
        long failed;
        try (KeepAliveHttpClient http =
                new KeepAliveHttpClient("prefill", admin, options.workers())) {
            failed = new Prefill(http, admin, keys).run();
        }
        report.prefill((System.nanoTime() - t0) / 1e9, failed);
        InetSocketAddress api = server.webApi();
        KeepAliveHttpClient.Request[] requests = new KeepAliveHttpClient.Request[keys.size()];
        for (int i = 0; i < requests.length; i++) {
            requests[i] =
                    KeepAliveHttpClient.get(
                            api, "/1/msg/get?k=" + WebBenchmark.q(keys.get(i)) + "&m=0");
        }
        for (int clients : PULL_CLIENTS) {
            ServerUsage.Window marks = window();
            ClosedLoop.Result r;
            try (KeepAliveHttpClient http = new KeepAliveHttpClient("pull", api, clients)) {
                r =
                        ClosedLoop.run(
                                "Pull (" + PULL_MESSAGES + " messages)",
                                clients,
                                STEP_WARMUP,
                                options.measure(),
                                caller ->
                                        Futures.transform(
                                                http.send(
                                                        caller,
                                                        requests[
                                                                ThreadLocalRandom.current()
                                                                        .nextInt(requests.length)]),
                                                reply -> answers.pull(reply, PULL_MESSAGES),
                                                directExecutor()),
                                marks);
            }
            logged(r);
            report.pull(
                    new LoopRow(
                            clients + (clients == 1 ? " client" : " clients"), r, marks.usage()));
        }
    }

    /**
     * d's pre-fill, as the Go load generator does it: {@code --workers} connections, each taking
     * the next key and pushing its 100 messages one after another (expire 600). Each step runs on
     * the HTTP client's thread when the previous answer arrives.
     */
    private final class Prefill {
        private final KeepAliveHttpClient http;
        private final InetSocketAddress admin;
        private final List<String> keys;
        private final AtomicInteger nextKey = new AtomicInteger();
        private final AtomicLong failed = new AtomicLong();
        private final CountDownLatch done;

        Prefill(KeepAliveHttpClient http, InetSocketAddress admin, List<String> keys) {
            this.http = http;
            this.admin = admin;
            this.keys = keys;
            this.done = new CountDownLatch(options.workers());
        }

        /** Pushes everything; answers how many pushes failed. */
        long run() throws InterruptedException {
            for (int w = 0; w < options.workers(); w++) {
                step(w, nextKey.getAndIncrement(), 0);
            }
            done.await();
            return failed.get();
        }

        private void step(int connection, int key, int message) {
            if (key >= keys.size()) {
                done.countDown();
                return;
            }
            String path =
                    "/1/admin/push/private?key="
                            + WebBenchmark.q(keys.get(key))
                            + "&expire="
                            + EXPIRE_SECONDS;
            byte[] body = PushLedger.body(System.nanoTime() - base, seq.incrementAndGet());
            ListenableFuture<KeepAliveHttpClient.Reply> answer =
                    http.send(connection, KeepAliveHttpClient.postJson(admin, path, body));
            answer.addListener(
                    () -> {
                        try {
                            if (WebAnswers.push(Futures.getDone(answer)).problem() != null) {
                                failed.incrementAndGet();
                            }
                        } catch (Exception e) {
                            failed.incrementAndGet();
                        }
                        if (message + 1 < PULL_MESSAGES) {
                            step(connection, key, message + 1);
                        } else {
                            step(connection, nextKey.getAndIncrement(), 0);
                        }
                    },
                    directExecutor());
        }
    }

    // ---- measuring -------------------------------------------------------------------------

    /** The web node's {@code web.push.fallback} count so far; -1 when unknown. */
    private long webStored() {
        return AdminNumbers.read(
                server.webAdmin().getPort(), "/metrics", WEB_STORED, Duration.ofSeconds(5));
    }

    private static long since(long before, long now) {
        return before < 0 || now < 0 ? -1 : now - before;
    }

    /** Reads the server's counters at the start and end of the next measured window. */
    private ServerUsage.Window window() {
        return new ServerUsage.Window(server.processes());
    }

    /**
     * Deletes what HBase and ZooKeeper stored under {@code data} after a run (hundreds of MB after
     * a long one); the logs under {@code data/logs} stay for reading. Also the resume-storm
     * benchmark's.
     */
    static void removeData(Path data) throws IOException {
        Path logs = data.resolve("logs");
        try (Stream<Path> files = Files.walk(data)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.startsWith(logs) && !p.equals(data)) {
                    Files.delete(p);
                }
            }
        }
        LoggerFactory.getLogger(StandaloneBenchmark.class).info("Logs of the run: {}", logs);
    }
}
