package io.pushbase.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resume-storm benchmark (issue 12): how fast clients catch up after a reconnect, and what that
 * costs the message node, resuming on subscribe (docs/REPLAY.md) against gopush-cluster's way of
 * subscribing and then pulling, measured in the same run. Starts the built distribution's processes
 * ({@link DistributionCluster}: local HBase, one message node with its per-key cap raised to hold
 * every message, one comet, one web node, each its own JVM), then:
 *
 * <ul>
 *   <li>storm — {@code --clients} keys, each with {@code --behind} messages stored after a time id
 *       (filled by multi-key pushes, {@code /1/admin/push/mprivate}). Then, per round, both ways,
 *       each with every client connecting at once ({@link TcpSubscribers#connectAll}): resume
 *       ({@code sub key 30 "" 1 <time id>}: the comet answers {@code +r complete} and replays) and
 *       pull ({@code sub key 30 "" 1}, then on its {@code +h} {@code GET /1/msg/get?k=key&m=<time
 *       id>} over {@code --pull-connections} shared keep-alive connections). A client has caught up
 *       when it holds its {@code --behind} messages; the time until every one has, the message
 *       node's CPU and {@code Fetch} calls (totals and the peak of any one second, {@link
 *       LoadSampler}) are reported per way, and their ratios per round (the order of the ways
 *       alternates between rounds, so a warmer cache favours each once).
 *   <li>deep — one key with {@code --deep} messages after a time id (pushed closed-loop by {@code
 *       --deep-pushers} connections): a resume's replay rate, against the same messages pulled page
 *       by page (100 per page, each after the last mid of the one before).
 * </ul>
 *
 * <p>Checks (exit 1 when one fails): every client got exactly its messages (no more), every resume
 * was answered {@code +r complete}, every pull answered {@code ret 0} with all of them, no server
 * process died. Report on stdout (Markdown, with the machine and the comet's bounds), progress on
 * stderr. Threading: {@link #run} on the main thread; the subscribers' callbacks on their reader
 * thread, pulls on one thread per pull connection.
 */
public final class ResumeStormBenchmark {
    private static final Logger LOG = LoggerFactory.getLogger(ResumeStormBenchmark.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long EXPIRE_SECONDS = 3_600;

    /** The pull's page: /1/msg/get answers at most this many messages. */
    private static final int PULL_PAGE = 100;

    private static final Duration PAUSE_BETWEEN = Duration.ofSeconds(5);
    private static final int FILL_KEYS_PER_PUSH = 1_000;
    private static final int FILL_IN_FLIGHT = 2;
    private static final TcpSubscribers.Subscription SUBSCRIPTION =
            new TcpSubscribers.Subscription(30, "1", true);

    /** The comet's settings that bound a resume storm, as conf/comet.yml sets them. */
    private static final List<String> COMET_BOUNDS =
            List.of(
                    "pageSize",
                    "maxConcurrentFetches",
                    "maxPendingMessages",
                    "maxSubscribersPerKey",
                    "maxQueuedPerKey",
                    "maxInFlight");

    private final ResumeStormOptions options;
    private final String runId = "rs" + System.currentTimeMillis() / 1000 % 1_000_000;
    private final HttpClient http =
            HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
    private final List<String> out = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private final Set<String> fillFailed = ConcurrentHashMap.newKeySet();
    private DistributionCluster cluster;
    private LoadSampler sampler;

    private ResumeStormBenchmark(ResumeStormOptions options) {
        this.options = options;
    }

    /** Runs the benchmark; see the class comment for the exit codes. */
    public static void main(String[] args) {
        ResumeStormOptions options = BenchMain.optionsOrExit(args, ResumeStormOptions::parse);
        BenchMain.runAndExit(() -> new ResumeStormBenchmark(options).run());
    }

    private void run() throws Exception {
        long started = System.nanoTime();
        Path data = BenchMain.freshDataDir("resume-storm-");
        out.add("## Resume storm (`bench/run-resume-storm-bench`) — " + Instant.now());
        out.add("");
        MachineInfo.describe(data).forEach(l -> out.add("- " + l));
        out.add("- open files allowed to this process: " + openFilesLimit());
        out.add(
                "- comet bounds (conf/comet.yml): "
                        + cometBounds(options.dist().resolve("conf").resolve("comet.yml")));
        out.add("- message node per-key cap: " + options.perKeyCap());
        out.add("");
        LOG.info("Starting the distribution's processes, data {}", data);
        try (DistributionCluster running =
                        DistributionCluster.start(
                                options.dist(),
                                data,
                                Map.of(
                                        "PUSHBASE_STORE_MAX_PER_KEY",
                                        Integer.toString(options.perKeyCap())));
                LoadSampler load =
                        new LoadSampler(
                                running.pids(), hostPort(running.message().address("admin")))) {
            cluster = running;
            sampler = load;
            LOG.info("Processes: {}", running.pids());
            if (options.runs("storm")) {
                storm();
            }
            if (options.runs("deep")) {
                deep();
            }
            List<String> exited = running.exited();
            if (!exited.isEmpty()) {
                failures.add("server processes exited during the run: " + exited);
            }
        }
        BenchMain.finishReport(out, failures, started, data);
    }

    // ---- storm ------------------------------------------------------------------------------

    /** What one way of catching up measured. */
    private record Way(
            String name,
            int caughtUp,
            double allSeconds,
            double quietSeconds,
            double p50Seconds,
            double p99Seconds,
            LoadSampler.Window load) {}

    private void storm() throws Exception {
        int n = options.clients();
        int behind = options.behind();
        List<String> keys = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            keys.add(runId + "-" + i);
        }
        long since = timeId();
        long fillStart = System.nanoTime();
        fillStorm(keys, behind);
        double fillSeconds = (System.nanoTime() - fillStart) / 1e9;
        if (fillFailed.size() > n / 10) {
            throw new IOException(fillFailed.size() + " of " + n + " keys failed a fill push");
        }
        keys.removeAll(fillFailed);
        LOG.info("{} keys x {} messages stored in {} s", n, behind, Math.round(fillSeconds));
        out.add(
                String.format(
                        Locale.ROOT,
                        "### Storm: %,d clients reconnect at once, each %d messages behind",
                        n,
                        behind));
        out.add("");
        out.add(
                String.format(
                        Locale.ROOT,
                        "Filled by %d rounds of multi-key pushes to %,d keys (1,000 keys a push,"
                                + " 2 in flight) in %.1f s (%,.0f messages/s; %,d keys left out,"
                                + " a push to them answered failed)."
                                + " Pulling clients share %d keep-alive connections; each makes"
                                + " one pull (its %d messages are one page).",
                        behind,
                        n,
                        fillSeconds,
                        n * (double) behind / fillSeconds,
                        fillFailed.size(),
                        options.pullConnections(),
                        behind));
        out.add("");
        out.add(
                "| round | way | caught up | all caught up (s) | p50 / p99 (s) | last Fetch (s) |"
                        + " message node CPU s | its peak cores (1 s) | Fetch calls | peak Fetch/s"
                        + " | HBase CPU s | comet CPU s | web CPU s |");
        out.add("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        List<String> ratios = new ArrayList<>();
        for (int round = 1; round <= options.rounds(); round++) {
            boolean pullFirst = round % 2 == 1;
            Way first = pullFirst ? pullStorm(keys, since) : resumeStorm(keys, since);
            Thread.sleep(PAUSE_BETWEEN.toMillis());
            Way second = pullFirst ? resumeStorm(keys, since) : pullStorm(keys, since);
            Thread.sleep(PAUSE_BETWEEN.toMillis());
            Way resume = pullFirst ? second : first;
            Way pull = pullFirst ? first : second;
            for (Way way : List.of(first, second)) {
                out.add(row(round, way, keys.size()));
            }
            ratios.add(
                    String.format(
                            Locale.ROOT,
                            "- round %d (%s first): pull / resume — time until all caught up"
                                    + " %.2f, message node CPU %.2f, its peak cores %.2f, Fetch"
                                    + " calls %.2f, peak Fetch/s %.2f, HBase CPU %.2f",
                            round,
                            first.name,
                            pull.allSeconds / resume.allSeconds,
                            ratio(pull.load.cpuSeconds(), resume.load.cpuSeconds(), "message"),
                            ratio(pull.load.peakCores(), resume.load.peakCores(), "message"),
                            pull.load.fetches() / (double) resume.load.fetches(),
                            pull.load.peakFetchesPerSecond() / resume.load.peakFetchesPerSecond(),
                            ratio(pull.load.cpuSeconds(), resume.load.cpuSeconds(), "hbase")));
        }
        out.add("");
        out.addAll(ratios);
        out.add("");
    }

    private static double ratio(Map<String, Double> a, Map<String, Double> b, String name) {
        return a.get(name) / b.get(name);
    }

    private static String row(int round, Way way, int clients) {
        Map<String, Double> cpu = way.load.cpuSeconds();
        return String.format(
                Locale.ROOT,
                "| %d | %s | %,d of %,d | %.2f | %.2f / %.2f | %.2f | %.1f | %.2f | %,d | %,.0f |"
                        + " %.1f | %.1f | %.1f |",
                round,
                way.name,
                way.caughtUp,
                clients,
                way.allSeconds,
                way.p50Seconds,
                way.p99Seconds,
                way.quietSeconds,
                cpu.get("message"),
                way.load.peakCores().get("message"),
                way.load.fetches(),
                way.load.peakFetchesPerSecond(),
                cpu.get("hbase"),
                cpu.get("comet"),
                cpu.get("web"));
    }

    /**
     * {@code behind} rounds of multi-key pushes, each round one message to every key, {@value
     * #FILL_KEYS_PER_PUSH} keys per push and {@value #FILL_IN_FLIGHT} pushes in flight: each push
     * well within the comet's append queue and the web node's push deadline (whose expiry would
     * make the web node store it again).
     */
    private void fillStorm(List<String> keys, int behind) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(FILL_IN_FLIGHT);
        try {
            List<Future<?>> pushes = new ArrayList<>();
            for (int j = 0; j < behind; j++) {
                for (int from = 0; from < keys.size(); from += FILL_KEYS_PER_PUSH) {
                    List<String> part =
                            keys.subList(from, Math.min(keys.size(), from + FILL_KEYS_PER_PUSH));
                    int round = j;
                    pushes.add(
                            pool.submit(
                                    () -> {
                                        pushToAll(round, part);
                                        return null;
                                    }));
                }
            }
            for (Future<?> push : pushes) {
                push.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * One multi-key push of message {@code round} to {@code keys}. The keys it answers as failed
     * ({@code fk}, a message node overloaded by the fill) are left out of the storm rather than
     * pushed again: a comet's append that missed its deadline may still be applied by HBase later
     * (docs/WEB.md), and a second push would then store the message twice.
     */
    private void pushToAll(int round, List<String> keys) throws Exception {
        String body =
                JSON.writeValueAsString(
                        Map.of("m", "{\"j\":" + round + "}", "k", String.join(",", keys)));
        JsonNode answer = postAdmin("/1/admin/push/mprivate?expire=" + EXPIRE_SECONDS, body);
        if (answer.path("ret").asInt(-1) != 0) {
            throw new IOException("multi-key push " + round + " answered " + answer);
        }
        answer.path("data").path("fk").forEach(k -> fillFailed.add(k.asText()));
    }

    private Way resumeStorm(List<String> keys, long since) throws Exception {
        List<byte[]> requests = new ArrayList<>(keys.size());
        for (String key : keys) {
            requests.add(TcpSubscribers.subCommand(key, 30, "1", since));
        }
        Catching catching = new Catching(keys.size(), options.behind());
        LOG.info("resume: {} clients connecting at once", keys.size());
        long start = System.nanoTime();
        try (TcpSubscribers subs =
                TcpSubscribers.connectAll(
                        cometTcp(),
                        requests,
                        SUBSCRIPTION,
                        (s, body, length, at) -> catching.message(s, at),
                        (s, at) -> {})) {
            catching.await(start, subs);
            Map<String, Long> answers = subs.resumeAnswers();
            long complete = answers.getOrDefault("+r complete", 0L);
            if (complete != keys.size() || answers.size() != 1) {
                failures.add("resume answers " + answers + " for " + keys.size() + " resumes");
            }
            return catching.way("resume", start, subs);
        }
    }

    private Way pullStorm(List<String> keys, long since) throws Exception {
        List<byte[]> requests = new ArrayList<>(keys.size());
        for (String key : keys) {
            requests.add(TcpSubscribers.subCommand(key, 30, "1"));
        }
        Catching catching = new Catching(keys.size(), options.behind());
        BlockingQueue<Integer> subscribed = new LinkedBlockingQueue<>();
        AtomicLong badPulls = new AtomicLong();
        LOG.info("pull: {} clients connecting at once", keys.size());
        InetSocketAddress web = cluster.web().address("http");
        long start = System.nanoTime();
        try (KeepAliveHttpClient pulls =
                        KeepAliveHttpClient.lazy("pull", web, options.pullConnections());
                TcpSubscribers subs =
                        TcpSubscribers.connectAll(
                                cometTcp(),
                                requests,
                                SUBSCRIPTION,
                                (s, body, length, at) -> catching.extra(s),
                                (s, at) -> subscribed.add(s))) {
            List<Thread> pullers = new ArrayList<>();
            for (int c = 0; c < options.pullConnections(); c++) {
                int connection = c;
                IntConsumer pull =
                        s -> {
                            int got = pull(pulls, web, connection, keys.get(s), since);
                            if (got < 0) {
                                badPulls.incrementAndGet();
                            }
                            catching.messages(s, Math.max(0, got), System.nanoTime());
                        };
                Thread t = new Thread(() -> pullLoop(subscribed, catching, pull), "pull-" + c);
                t.setDaemon(true);
                t.start();
                pullers.add(t);
            }
            catching.await(start, subs);
            for (Thread t : pullers) {
                t.interrupt();
                t.join(10_000);
            }
            if (badPulls.get() > 0) {
                failures.add(badPulls.get() + " pulls not answered ret 0");
            }
            return catching.way("pull", start, subs);
        }
    }

    private static void pullLoop(
            BlockingQueue<Integer> subscribed, Catching catching, IntConsumer pull) {
        while (!catching.finished()) {
            Integer s;
            try {
                s = subscribed.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (s != null) {
                pull.accept(s);
            }
        }
    }

    /** One pull on {@code connection}: how many messages it answered, -1 for anything but ret 0. */
    private static int pull(
            KeepAliveHttpClient http,
            InetSocketAddress web,
            int connection,
            String key,
            long after) {
        try {
            KeepAliveHttpClient.Reply reply =
                    http.send(
                                    connection,
                                    KeepAliveHttpClient.get(
                                            web, "/1/msg/get?k=" + encode(key) + "&m=" + after))
                            .get();
            String text = reply.text();
            if (reply.status() != 200 || !text.endsWith("\"ret\":0}")) {
                return -1;
            }
            return count(text, "\"mid\":");
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return -1;
        }
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + what.length())) {
            n++;
        }
        return n;
    }

    /**
     * Who has caught up, for one way: messages per client (written by the subscribers' reader or
     * the pullers, read by the main thread), each client's catch-up time.
     */
    private final class Catching {
        private final int behind;
        private final AtomicIntegerArray counts;
        private final AtomicLongArray caughtUpAt;
        private final AtomicInteger caughtUp = new AtomicInteger();
        private final AtomicLong extra = new AtomicLong();
        private volatile boolean finished;

        Catching(int clients, int behind) {
            this.behind = behind;
            this.counts = new AtomicIntegerArray(clients);
            this.caughtUpAt = new AtomicLongArray(clients);
        }

        void message(int s, long at) {
            messages(s, 1, at);
        }

        void messages(int s, int n, long at) {
            int now = counts.addAndGet(s, n);
            if (now >= behind && now - n < behind) {
                caughtUpAt.set(s, at);
                caughtUp.incrementAndGet();
            }
        }

        /** A pushed message where none was expected (a pulling client's subscription). */
        void extra(int s) {
            extra.incrementAndGet();
        }

        boolean finished() {
            return finished;
        }

        /** Until every client has caught up, or the time limit; logs progress every 5 s. */
        void await(long start, TcpSubscribers subs) throws InterruptedException {
            long deadline = start + TimeUnit.SECONDS.toNanos(options.timeoutSeconds());
            long nextLog = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (caughtUp.get() < counts.length() && System.nanoTime() < deadline) {
                Thread.sleep(10);
                if (System.nanoTime() > nextLog) {
                    nextLog += TimeUnit.SECONDS.toNanos(5);
                    LOG.info(
                            "{} of {} caught up; connections closed {}, error replies {}",
                            caughtUp.get(),
                            counts.length(),
                            subs.closedByServer(),
                            subs.errorReplies());
                }
            }
            finished = true;
            Thread.sleep(500); // anything more than expected would arrive now
        }

        Way way(String name, long start, TcpSubscribers subs) throws InterruptedException {
            int clients = counts.length();
            long lastCaughtUp = start;
            for (int s = 0; s < clients; s++) {
                lastCaughtUp = Math.max(lastCaughtUp, caughtUpAt.get(s));
            }
            // The load until the message node is quiet again: a replay's last (empty) page is read
            // after its client has every message, and replays take turns for Fetch slots. Only
            // then has every message a client will get arrived.
            long quiet = sampler.quietSince(lastCaughtUp, Duration.ofSeconds(1));
            long[] times = new long[caughtUp.get()];
            int k = 0;
            int over = 0;
            long last = start;
            for (int s = 0; s < clients; s++) {
                if (counts.get(s) > behind) {
                    over++;
                }
                long at = caughtUpAt.get(s);
                if (at != 0 && k < times.length) {
                    times[k++] = at - start;
                    last = Math.max(last, at);
                }
            }
            Arrays.sort(times);
            if (k < clients) {
                failures.add(
                        name
                                + ": "
                                + (clients - k)
                                + " clients did not catch up within "
                                + options.timeoutSeconds()
                                + " s");
            }
            if (over > 0 || extra.get() > 0) {
                failures.add(name + ": " + over + " clients got more than " + behind + " messages");
            }
            if (subs.closedByServer() > 0 || subs.errorReplies() > 0) {
                failures.add(
                        name
                                + ": "
                                + subs.closedByServer()
                                + " connections closed or failed, "
                                + subs.errorReplies()
                                + " error replies");
            }
            LoadSampler.Window load = sampler.window(start, Math.max(last, quiet));
            LOG.info(
                    "{}: {} of {} caught up in {} ms; {}",
                    name,
                    k,
                    clients,
                    TimeUnit.NANOSECONDS.toMillis(last - start),
                    load);
            return new Way(
                    name,
                    k,
                    (last - start) / 1e9,
                    (Math.max(last, quiet) - start) / 1e9,
                    k == 0 ? 0 : times[(k - 1) / 2] / 1e9,
                    k == 0 ? 0 : times[(int) Math.ceil(k * 0.99) - 1] / 1e9,
                    load);
        }
    }

    // ---- deep -------------------------------------------------------------------------------

    private void deep() throws Exception {
        int deep = options.deep();
        String key = runId + "-deep";
        long since = timeId();
        long fillStart = System.nanoTime();
        fillDeep(key, deep);
        double fillSeconds = (System.nanoTime() - fillStart) / 1e9;
        LOG.info("{} messages pushed to {} in {} s", deep, key, Math.round(fillSeconds));

        Catching catching = new Catching(1, deep);
        long start = System.nanoTime();
        Map<String, Long> answers;
        try (TcpSubscribers subs =
                TcpSubscribers.connectAll(
                        cometTcp(),
                        List.of(TcpSubscribers.subCommand(key, 30, "1", since)),
                        SUBSCRIPTION,
                        (s, body, length, at) -> catching.message(s, at),
                        (s, at) -> {})) {
            catching.await(start, subs);
            answers = subs.resumeAnswers();
            if (!answers.equals(Map.of("+r complete", 1L))) {
                failures.add("deep resume answered " + answers);
            }
            Way replay = catching.way("deep resume", start, subs);
            Thread.sleep(PAUSE_BETWEEN.toMillis());
            long pullStart = System.nanoTime();
            int pulled = pullAll(key, since);
            long pullEnd = System.nanoTime();
            if (pulled != deep) {
                failures.add("deep pull got " + pulled + " of " + deep);
            }
            LoadSampler.Window pullLoad = sampler.window(pullStart, pullEnd);
            double pullSeconds = (pullEnd - pullStart) / 1e9;
            out.add(String.format(Locale.ROOT, "### Deep: one client %,d messages behind", deep));
            out.add("");
            out.add(
                    String.format(
                            Locale.ROOT,
                            "Filled by %d pushers in %.1f s (%,.0f pushes/s, one key).",
                            options.deepPushers(),
                            fillSeconds,
                            deep / fillSeconds));
            out.add("");
            out.add(
                    "| way | messages | seconds | messages/s | message node CPU s | Fetch calls |"
                            + " HBase CPU s | comet CPU s | web CPU s |");
            out.add("|---|---|---|---|---|---|---|---|---|");
            out.add(deepRow("resume (replay)", deep, replay.allSeconds, replay.load));
            out.add(deepRow("pull, page after page", pulled, pullSeconds, pullLoad));
            out.add("");
            out.add(
                    String.format(
                            Locale.ROOT,
                            "- replay rate / paged-pull rate: %.2f",
                            (deep / replay.allSeconds) / (pulled / pullSeconds)));
        }
    }

    private static String deepRow(
            String way, int messages, double seconds, LoadSampler.Window load) {
        Map<String, Double> cpu = load.cpuSeconds();
        return String.format(
                Locale.ROOT,
                "| %s | %,d | %.2f | %,.0f | %.1f | %,d | %.1f | %.1f | %.1f |",
                way,
                messages,
                seconds,
                messages / seconds,
                cpu.get("message"),
                load.fetches(),
                cpu.get("hbase"),
                cpu.get("comet"),
                cpu.get("web"));
    }

    /** {@code deep} pushes to {@code key}, {@code --deep-pushers} in flight; refusals retried. */
    private void fillDeep(String key, int deep) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicLong refused = new AtomicLong();
        InetSocketAddress admin = cluster.web().address("admin");
        String path = "/1/admin/push/private?key=" + encode(key) + "&expire=" + EXPIRE_SECONDS;
        try (KeepAliveHttpClient pushes =
                new KeepAliveHttpClient("deep-fill", admin, options.deepPushers())) {
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < options.deepPushers(); c++) {
                int connection = c;
                Thread t =
                        new Thread(
                                () -> {
                                    int i;
                                    while ((i = next.getAndIncrement()) < deep) {
                                        byte[] body =
                                                ("{\"d\":" + i + "}")
                                                        .getBytes(StandardCharsets.UTF_8);
                                        while (!pushed(pushes, connection, admin, path, body)) {
                                            refused.incrementAndGet();
                                        }
                                    }
                                },
                                "deep-fill-" + c);
                t.start();
                threads.add(t);
            }
            for (Thread t : threads) {
                t.join();
            }
        }
        if (refused.get() > 0) {
            LOG.info("{} pushes refused and retried while filling", refused.get());
        }
    }

    private static boolean pushed(
            KeepAliveHttpClient http,
            int connection,
            InetSocketAddress admin,
            String path,
            byte[] body) {
        try {
            KeepAliveHttpClient.Reply reply =
                    http.send(connection, KeepAliveHttpClient.postJson(admin, path, body)).get();
            if (reply.status() == 200 && reply.text().equals("{\"ret\":0}")) {
                return true;
            }
            Thread.sleep(10);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while filling", e);
        } catch (Exception e) {
            return false;
        }
    }

    /** Pulls every message after {@code after}, page by page; how many came. */
    private int pullAll(String key, long after) throws Exception {
        int total = 0;
        long from = after;
        while (true) {
            JsonNode msgs =
                    call(
                                    cluster.web().address("http"),
                                    "/1/msg/get?k=" + encode(key) + "&m=" + from,
                                    null,
                                    Duration.ofSeconds(30))
                            .path("data")
                            .path("msgs");
            total += msgs.size();
            if (msgs.size() < PULL_PAGE) {
                return total;
            }
            from = msgs.get(msgs.size() - 1).path("mid").asLong();
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    private InetSocketAddress cometTcp() {
        return cluster.comet().address("tcp");
    }

    /** "Now" as a mid, from the web node ({@code /1/time/get}). */
    private long timeId() throws Exception {
        return call(cluster.web().address("http"), "/1/time/get", null, Duration.ofSeconds(10))
                .path("data")
                .path("timeid")
                .asLong();
    }

    private JsonNode postAdmin(String pathAndQuery, String body) throws Exception {
        return call(cluster.web().address("admin"), pathAndQuery, body, Duration.ofSeconds(300));
    }

    /** A GET (or, with a {@code body}, a POST) to the web node; its answer's JSON. */
    private JsonNode call(
            InetSocketAddress port, String pathAndQuery, String body, Duration timeout)
            throws Exception {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create("http://" + hostPort(port) + pathAndQuery))
                        .timeout(timeout);
        if (body != null) {
            request.POST(HttpRequest.BodyPublishers.ofString(body));
        }
        return JSON.readTree(
                http.send(request.build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    private static String hostPort(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** The values of {@link #COMET_BOUNDS} in the distribution's comet.yml. */
    private static String cometBounds(Path cometYml) throws IOException {
        List<String> found = new ArrayList<>();
        for (String line : Files.readAllLines(cometYml)) {
            String trimmed = line.trim();
            for (String name : COMET_BOUNDS) {
                if (trimmed.startsWith(name + ":")) {
                    found.add(trimmed.replaceAll("\\s*#.*", ""));
                }
            }
        }
        return String.join(", ", found);
    }

    /** The soft limit on open files ({@code /proc/self/limits}), as the script raised it. */
    private static String openFilesLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    return line.substring("Max open files".length()).trim().split("\\s+")[0];
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return "unknown";
    }
}
