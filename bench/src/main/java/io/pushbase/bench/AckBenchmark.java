package io.pushbase.bench;

import static com.google.common.util.concurrent.MoreExecutors.directExecutor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import io.pushbase.bench.ClosedLoop.Outcome;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The acknowledgement benchmark (issue 15): how many client acks per second the cluster stores as
 * device cursors, and what each costs in CPU, with {@code --subscribers} TCP subscribers acking
 * every message at {@code --rate} pushes per second. Starts the built distribution's processes
 * ({@link DistributionCluster}: local HBase, a message node, a comet, a web node, each its own
 * JVM), subscribes one TCP connection per key ({@code sub key 30 "" 1}, {@link TcpSubscribers}),
 * then per round runs two phases of the same open-model push load ({@link OpenLoop}: admin pushes
 * through the web node, to the keys in turn):
 *
 * <ul>
 *   <li>acks off — the subscribers only read: the CPU a push costs without acks, the baseline this
 *       shared machine's noise calls for, measured in the same run;
 *   <li>acks on — every subscriber answers every message it receives with {@code ack <key> <device>
 *       <mid>} (its device {@code d<index>}) at once, on the reader thread.
 * </ul>
 *
 * <p>Per phase's measured window: pushes answered, messages received, acks sent, the comet's {@code
 * comet.acks.*} (received, coalesced, AckMany calls and their mean size) and the message node's
 * {@code store.acks.stored} (acks stored in the cursor store: the throughput) and {@code
 * store.ackMany.size} counts ({@link AckCounts}), and every process's CPU ({@link CpuUsage}). The
 * CPU an ack costs is the servers' CPU per second with acks minus without, over the acks stored per
 * second. The order of the phases alternates between rounds.
 *
 * <p>Checks (exit 1 when one fails): every push answered {@code ret 0}; no ack refused, failed or
 * left unsent; every ack the comet took reached the message node (received − coalesced = stored,
 * after the phase settles); after each phase with acks, the cursor of a sample of keys ({@code
 * /1/admin/cursors}) equals the last mid its device received; no connection closed, no server
 * process died. Threading: {@link #run} on the main thread; the subscribers' callbacks (and acks)
 * on their reader thread; push answers on the HTTP client's threads.
 */
public final class AckBenchmark {
    private static final Logger LOG = LoggerFactory.getLogger(AckBenchmark.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long EXPIRE_SECONDS = 3_600;
    private static final int HEARTBEAT_SECONDS = 30;
    private static final byte[] MID_FIELD = "\"mid\":".getBytes(StandardCharsets.US_ASCII);

    /** The comet's flush interval is 100 ms: a phase's last acks are stored well within this. */
    private static final Duration SETTLE = Duration.ofSeconds(3);

    private final AckBenchOptions options;
    private final String runId = "ack" + System.currentTimeMillis() / 1000 % 1_000_000;
    private final HttpClient http =
            HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
    private final List<String> out = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private final List<String> cursorNotes = new ArrayList<>();
    private final List<String> keys = new ArrayList<>();
    private final AtomicLong seq = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong acksSent = new AtomicLong();
    private final AtomicLong acksUnsent = new AtomicLong();
    private final AtomicLong unparsed = new AtomicLong();
    private final AtomicInteger subscribedCount = new AtomicInteger();
    private AtomicLongArray lastMid;
    private byte[][] ackPrefix;
    private volatile boolean acking;
    private volatile TcpSubscribers subscribers;
    private DistributionCluster cluster;

    private AckBenchmark(AckBenchOptions options) {
        this.options = options;
    }

    /** Runs the benchmark; see the class comment for the exit codes. */
    public static void main(String[] args) {
        AckBenchOptions options = BenchMain.optionsOrExit(args, AckBenchOptions::parse);
        BenchMain.runAndExit(() -> new AckBenchmark(options).run());
    }

    /** What one phase measured over its window. */
    private record Phase(
            String name,
            OpenLoop.Result pushes,
            double seconds,
            long received,
            long acksSent,
            AckCounts before,
            AckCounts after,
            Map<String, Long> cpuNanos,
            long benchCpuNanos) {

        long count(String name) {
            return after.since(before, name);
        }

        double perSecond(long n) {
            return n / seconds;
        }

        /** Cores the server processes used together. */
        double serverCores() {
            return cpuNanos.values().stream().mapToLong(Long::longValue).sum() / 1e9 / seconds;
        }

        double cores(String process) {
            return cpuNanos.getOrDefault(process, 0L) / 1e9 / seconds;
        }
    }

    private void run() throws Exception {
        long started = System.nanoTime();
        Path data = BenchMain.freshData("ack-");
        out.add("## Acknowledgements (`bench/run-ack-bench`) — " + Instant.now());
        out.add("");
        MachineInfo.describe(data).forEach(l -> out.add("- " + l));
        out.add("- load average (1, 5, 15 min) at the start: " + WebBenchmark.loadAverage());
        out.add(
                String.format(
                        Locale.ROOT,
                        "- %,d TCP subscribers (one key and one device each), %,d pushes/s offered"
                                + " over at most %d connections, %d s unmeasured with acks first,"
                                + " %d s warm-up + %d s measured per phase, %d rounds",
                        options.subscribers(),
                        options.rate(),
                        options.maxInflight(),
                        options.prewarm().toSeconds(),
                        options.warmup().toSeconds(),
                        options.measure().toSeconds(),
                        options.rounds()));
        out.add("");
        LOG.info("Starting the distribution's processes, data {}", data);
        try (DistributionCluster running =
                DistributionCluster.start(options.dist(), data, Map.of())) {
            cluster = running;
            LOG.info("Processes: {}", running.pids());
            try (TcpSubscribers subs = subscribe()) {
                subscribers = subs;
                phases();
                if (subs.closedByServer() > 0
                        || subs.errorReplies() > 0
                        || subs.shortWrites() > 0) {
                    failures.add(
                            subs.closedByServer()
                                    + " connections closed, "
                                    + subs.errorReplies()
                                    + " error replies (-k refusals included), "
                                    + subs.shortWrites()
                                    + " acks not sent whole");
                }
            }
            List<String> exited = running.exited();
            if (!exited.isEmpty()) {
                failures.add("server processes exited during the run: " + exited);
            }
        }
        out.add("- load average at the end: " + WebBenchmark.loadAverage());
        BenchMain.endReport(out, failures, started, data);
    }

    // ---- subscribers ------------------------------------------------------------------------

    /** One connection per key, all at once; waits until every one is answered {@code +h}. */
    private TcpSubscribers subscribe() throws Exception {
        int n = options.subscribers();
        lastMid = new AtomicLongArray(n);
        ackPrefix = new byte[n][];
        List<byte[]> requests = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String key = runId + "-" + i;
            keys.add(key);
            requests.add(TcpSubscribers.subCommand(key, HEARTBEAT_SECONDS, "1"));
            ackPrefix[i] = ackPrefix(key, device(i));
        }
        TcpSubscribers subs =
                TcpSubscribers.connectAll(
                        cluster.comet().address("tcp"),
                        requests,
                        new TcpSubscribers.Subscription(HEARTBEAT_SECONDS, "1", true),
                        this::frame,
                        (s, at) -> subscribedCount.incrementAndGet());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (subscribedCount.get() < n && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        if (subscribedCount.get() < n) {
            subs.close();
            throw new IllegalStateException(
                    subscribedCount.get() + " of " + n + " subscribers answered +h within 120 s");
        }
        LOG.info("{} subscribers subscribed", n);
        return subs;
    }

    /** On the reader thread: note the mid, and with acks on, ack it at once. */
    private void frame(int subscriber, byte[] body, int length, long arrivalNanos) {
        received.incrementAndGet();
        long mid = mid(body, length);
        if (mid <= 0) {
            unparsed.incrementAndGet();
            return;
        }
        lastMid.accumulateAndGet(subscriber, mid, Math::max);
        if (acking) {
            if (subscribers.write(subscriber, ackCommand(subscriber, mid))) {
                acksSent.incrementAndGet();
            } else {
                acksUnsent.incrementAndGet();
            }
        }
    }

    static String device(int subscriber) {
        return "d" + subscriber;
    }

    /** {@code *4}, {@code ack}, the key and the device: everything of the ack but its mid. */
    private static byte[] ackPrefix(String key, String device) {
        StringBuilder resp = new StringBuilder("*4\r\n$3\r\nack\r\n");
        for (String arg : List.of(key, device)) {
            resp.append('$').append(arg.length()).append("\r\n").append(arg).append("\r\n");
        }
        return resp.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private byte[] ackCommand(int subscriber, long mid) {
        String m = Long.toString(mid);
        String tail = "$" + m.length() + "\r\n" + m + "\r\n";
        byte[] prefix = ackPrefix[subscriber];
        byte[] end = tail.getBytes(StandardCharsets.US_ASCII);
        byte[] cmd = new byte[prefix.length + end.length];
        System.arraycopy(prefix, 0, cmd, 0, prefix.length);
        System.arraycopy(end, 0, cmd, prefix.length, end.length);
        return cmd;
    }

    /** The mid of a message in the new format ({@code ...,"mid":123,...}); -1 if none. */
    static long mid(byte[] body, int length) {
        outer:
        for (int i = 0; i + MID_FIELD.length <= length; i++) {
            for (int j = 0; j < MID_FIELD.length; j++) {
                if (body[i + j] != MID_FIELD[j]) {
                    continue outer;
                }
            }
            long mid = 0;
            int digits = 0;
            for (int k = i + MID_FIELD.length;
                    k < length && body[k] >= '0' && body[k] <= '9';
                    k++) {
                mid = mid * 10 + (body[k] - '0');
                digits++;
            }
            return digits == 0 ? -1 : mid;
        }
        return -1;
    }

    // ---- phases -----------------------------------------------------------------------------

    private void phases() throws Exception {
        if (!options.prewarm().isZero()) {
            prewarm();
        }
        List<Phase> all = new ArrayList<>();
        List<String> ratios = new ArrayList<>();
        for (int round = 1; round <= options.rounds(); round++) {
            boolean offFirst = round % 2 == 1;
            Phase first = phase(offFirst ? "acks off" : "acks on", !offFirst);
            Phase second = phase(offFirst ? "acks on" : "acks off", offFirst);
            Phase on = offFirst ? second : first;
            Phase off = offFirst ? first : second;
            all.add(first);
            all.add(second);
            ratios.add(costLine(round, off, on));
        }
        out.add(
                "| phase | pushes/s answered | messages received/s | acks sent/s | acks taken by"
                        + " the comet/s | coalesced | AckMany calls/s | acks per AckMany |"
                        + " **acks stored/s** | HBase cores | message cores | comet cores | web"
                        + " cores | servers' cores | server CPU ms per push | bench client cores |");
        out.add("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (Phase p : all) {
            out.add(row(p));
        }
        out.add("");
        out.addAll(ratios);
        out.addAll(cursorNotes);
        out.add("");
    }

    private static String row(Phase p) {
        long calls = p.count("comet.acks.batchSize");
        long batched = p.count("comet.acks.received") - p.count("comet.acks.coalesced");
        double pushesPerSecond = p.perSecond(p.pushes.okCompletedInWindow());
        return String.format(
                Locale.ROOT,
                "| %s | %,.0f | %,.0f | %,.0f | %,.0f | %,d | %,.1f | %s | **%,.0f** | %.2f | %.2f |"
                        + " %.2f | %.2f | %.2f | %.3f | %.2f |",
                p.name,
                pushesPerSecond,
                p.perSecond(p.received),
                p.perSecond(p.acksSent),
                p.perSecond(p.count("comet.acks.received")),
                p.count("comet.acks.coalesced"),
                p.perSecond(calls),
                calls > 0 ? String.format(Locale.ROOT, "%.1f", batched / (double) calls) : "–",
                p.perSecond(p.count("store.acks.stored")),
                p.cores("hbase"),
                p.cores("message"),
                p.cores("comet"),
                p.cores("web"),
                p.serverCores(),
                p.serverCores() * 1000 / pushesPerSecond,
                p.benchCpuNanos / 1e9 / p.seconds);
    }

    /** The CPU an ack cost in round {@code round}: servers' cores with acks minus without. */
    private static String costLine(int round, Phase off, Phase on) {
        double storedPerSecond = on.perSecond(on.count("store.acks.stored"));
        double extra = on.serverCores() - off.serverCores();
        StringBuilder per = new StringBuilder();
        for (String process : on.cpuNanos.keySet()) {
            per.append(
                    String.format(
                            Locale.ROOT,
                            "%s %.1f, ",
                            process,
                            (on.cores(process) - off.cores(process)) * 1e6 / storedPerSecond));
        }
        return String.format(
                Locale.ROOT,
                "- round %d: %,.0f acks stored/s; servers' CPU with acks %.2f cores, without %.2f"
                        + " → **%.1f µs of CPU per ack** (%s per process, µs; the bench client's"
                        + " own %.1f µs)",
                round,
                storedPerSecond,
                on.serverCores(),
                off.serverCores(),
                extra * 1e6 / storedPerSecond,
                per.substring(0, Math.max(0, per.length() - 2)),
                (on.benchCpuNanos / on.seconds - off.benchCpuNanos / off.seconds)
                        / 1e3
                        / storedPerSecond);
    }

    /**
     * One phase: the push load for warm-up and window, with the subscribers acking or not; the
     * counters and CPU read at the window's ends (on the loop's mark thread). With acks, after the
     * load: waits for the last acks to be stored, then checks the stored count and a sample of
     * cursors.
     */
    private Phase phase(String name, boolean acks) throws Exception {
        acking = acks;
        int cometAdmin = cluster.comet().address("admin").getPort();
        int messageAdmin = cluster.message().address("admin").getPort();
        Map<String, Long> pids = cluster.pids();
        AckCounts phaseStart = AckCounts.read(cometAdmin, messageAdmin);
        long sentAtStart = acksSent.get();
        Mark[] marks = new Mark[2];
        ClosedLoop.Window window =
                new ClosedLoop.Window() {
                    @Override
                    public void started() {
                        marks[0] = mark(pids, cometAdmin, messageAdmin);
                    }

                    @Override
                    public void ended() {
                        marks[1] = mark(pids, cometAdmin, messageAdmin);
                    }
                };
        LOG.info(
                "{}: {} pushes/s, {} s warm-up + {} s measured",
                name,
                options.rate(),
                options.warmup().toSeconds(),
                options.measure().toSeconds());
        InetSocketAddress admin = cluster.web().address("admin");
        OpenLoop.Result pushes;
        try (KeepAliveHttpClient client =
                KeepAliveHttpClient.lazy("ack-push", admin, options.maxInflight())) {
            pushes =
                    OpenLoop.run(
                            options.rate(),
                            options.warmup(),
                            options.measure(),
                            options.maxInflight(),
                            (connection, intended) -> push(client, connection, admin),
                            window);
        }
        Thread.sleep(SETTLE.toMillis());
        acking = false;
        // OpenLoop joined the mark thread before returning: both marks are set and visible.
        Mark from = marks[0];
        Mark to = marks[1];
        Phase phase =
                new Phase(
                        name,
                        pushes,
                        to.cpu.wallNanosSince(from.cpu) / 1e9,
                        to.received - from.received,
                        to.acksSent - from.acksSent,
                        from.counts,
                        to.counts,
                        to.cpu.childNanosSince(from.cpu),
                        to.cpu.ownNanosSince(from.cpu));
        LOG.info("{}: {}", name, row(phase));
        if (pushes.errors() > 0 || pushes.otherErrors() > 0) {
            failures.add(
                    name
                            + ": "
                            + (pushes.errors() + pushes.otherErrors())
                            + " pushes failed: "
                            + pushes.problems());
        }
        AckCounts settled = AckCounts.read(cometAdmin, messageAdmin);
        Map<String, Long> problems = settled.problemsSince(phaseStart);
        if (!problems.isEmpty()) {
            failures.add(name + ": acks refused or failed: " + problems);
        }
        long taken =
                settled.since(phaseStart, "comet.acks.received")
                        - settled.since(phaseStart, "comet.acks.coalesced");
        long stored = settled.since(phaseStart, "store.acks.stored");
        long sent = acksSent.get() - sentAtStart;
        if (acks) {
            if (settled.since(phaseStart, "comet.acks.received") != sent || stored != taken) {
                failures.add(
                        String.format(
                                Locale.ROOT,
                                "%s: %d acks sent, %d taken by the comet, %d coalesced, %d stored"
                                        + " by the message node",
                                name,
                                sent,
                                settled.since(phaseStart, "comet.acks.received"),
                                settled.since(phaseStart, "comet.acks.coalesced"),
                                stored));
            }
            checkCursors(name);
        } else if (sent != 0 || stored != 0) {
            failures.add(name + ": " + sent + " acks sent, " + stored + " stored without acks");
        }
        if (unparsed.get() > 0 || acksUnsent.get() > 0) {
            failures.add(
                    name
                            + ": "
                            + unparsed.get()
                            + " messages without a mid, "
                            + acksUnsent.get()
                            + " acks not sent");
        }
        return phase;
    }

    /** The load with acks for {@code --prewarm}, nothing measured, then the settling pause. */
    private void prewarm() throws Exception {
        LOG.info(
                "prewarm: {} pushes/s with acks for {} s",
                options.rate(),
                options.prewarm().toSeconds());
        acking = true;
        InetSocketAddress admin = cluster.web().address("admin");
        try (KeepAliveHttpClient client =
                KeepAliveHttpClient.lazy("ack-prewarm", admin, options.maxInflight())) {
            OpenLoop.run(
                    options.rate(),
                    Duration.ZERO,
                    options.prewarm(),
                    options.maxInflight(),
                    (connection, intended) -> push(client, connection, admin),
                    ClosedLoop.Window.NONE);
        }
        Thread.sleep(SETTLE.toMillis());
        acking = false;
    }

    /** Everything read at one end of a measured window. */
    private record Mark(CpuUsage cpu, AckCounts counts, long received, long acksSent) {}

    private Mark mark(Map<String, Long> pids, int cometAdmin, int messageAdmin) {
        CpuUsage cpu = CpuUsage.now(pids);
        return new Mark(
                cpu, AckCounts.read(cometAdmin, messageAdmin), received.get(), acksSent.get());
    }

    private ListenableFuture<Outcome> push(
            KeepAliveHttpClient client, int connection, InetSocketAddress admin) {
        long s = seq.incrementAndGet();
        String path =
                "/1/admin/push/private?key="
                        + keys.get((int) (s % keys.size()))
                        + "&expire="
                        + EXPIRE_SECONDS;
        byte[] body = ("{\"s\":" + s + "}").getBytes(StandardCharsets.US_ASCII);
        return Futures.transform(
                client.send(connection, KeepAliveHttpClient.postJson(admin, path, body)),
                WebAnswers::push,
                directExecutor());
    }

    /**
     * For every {@code --cursor-sample}-th key: its device's cursor ({@code /1/admin/cursors})
     * equals the last mid its subscriber received (which it acked).
     */
    private void checkCursors(String name) throws Exception {
        int n = keys.size();
        int step = Math.max(1, n / options.cursorSample());
        int checked = 0;
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < n; i += step) {
            long expected = lastMid.get(i);
            if (expected <= 0) {
                continue; // received nothing yet
            }
            JsonNode data =
                    get(cluster.web().address("admin"), "/1/admin/cursors?key=" + keys.get(i))
                            .path("data");
            String cursor = null;
            for (JsonNode d : data.path("devices")) {
                if (d.path("device").asText().equals(device(i))) {
                    cursor = d.path("cursor").asText();
                }
            }
            checked++;
            if (!Long.toString(expected).equals(cursor)) {
                wrong.add(keys.get(i) + " cursor " + cursor + ", last mid " + expected);
            }
        }
        LOG.info("{}: {} cursors checked, {} wrong", name, checked, wrong.size());
        cursorNotes.add(
                String.format(
                        Locale.ROOT,
                        "- %s: %d sampled keys' cursors checked against their device's last mid,"
                                + " %d wrong",
                        name,
                        checked,
                        wrong.size()));
        if (!wrong.isEmpty()) {
            failures.add(
                    name
                            + ": "
                            + wrong.size()
                            + " of "
                            + checked
                            + " cursors not at the last mid, e.g. "
                            + wrong.subList(0, Math.min(3, wrong.size())));
        }
    }

    private JsonNode get(InetSocketAddress port, String pathAndQuery) throws Exception {
        HttpRequest request =
                HttpRequest.newBuilder(
                                URI.create(
                                        "http://"
                                                + port.getHostString()
                                                + ":"
                                                + port.getPort()
                                                + pathAndQuery))
                        .timeout(Duration.ofSeconds(10))
                        .build();
        return JSON.readTree(http.send(request, HttpResponse.BodyHandlers.ofString()).body());
    }
}
