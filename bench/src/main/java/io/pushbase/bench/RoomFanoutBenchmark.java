package io.pushbase.bench;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.pushbase.schema.client.Rooms;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The room fan-out benchmark of issue 14 ({@code bench/run-room-bench}, docs/BENCHMARKS.md): N TCP
 * connections of one comet (the distribution's processes, {@link DistributionCluster}) join one
 * room at subscribe (the seventh {@code sub} argument); room pushes ({@code POST
 * /1/admin/push/room} on the web node's admin port; expire 600 by default: stored before delivery)
 * are offered at rising rates ({@link OpenLoop}), each carrying its intended send time; the
 * members' frames ({@link TcpSubscribers}) are tallied per message ({@link RoomTally}): deliveries
 * per second, publish→last-member latency, and every member's every message. Then the same clients
 * and rates against the floor, a plain Netty server writing the same frame bytes ({@link
 * FloorServer}, a child JVM), and the ratio of the two.
 *
 * <p>The broadcast case ({@code --target all}): N plain TCP subscribers of distinct keys, in no
 * room, and broadcasts ({@code POST /1/admin/push/all}, spread 0), which a comet writes to every
 * connection as room {@value Rooms#ALL}'s message ({@code "gid":1}); tallied the same way, and the
 * floor writes that same frame.
 *
 * <p>Exit codes as {@link BenchMain}: 1 when a member missed a message.
 */
public final class RoomFanoutBenchmark {
    private static final Logger LOG = LoggerFactory.getLogger(RoomFanoutBenchmark.class);
    private static final String ROOM = "bench";
    private static final int HEARTBEAT_SECONDS = 60;
    private static final int PUSH_CONNECTIONS = 8;
    private static final Duration SETTLE = Duration.ofSeconds(15);

    /** Members opened at once and read by one thread (see {@link #measure}). */
    private static final int MAX_GROUP = 10_000;

    private final RoomBenchOptions options;

    /** The room whose messages are measured: {@link #ROOM}, or {@link Rooms#ALL} (broadcasts). */
    private final String room;

    private final List<String> out = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private final Map<String, List<Step>> results = new LinkedHashMap<>();

    /** Per target, the first frame a member received (to compare the bytes of the two). */
    private final Map<String, String> firstFrames = new LinkedHashMap<>();

    private volatile RoomTally tally = new RoomTally();

    /** One rate's figures for one target. */
    /**
     * @param serverMicrosPerDelivery the server's (comet's or floor's) CPU time over the whole step
     *     (warm-up and backlog included) divided by the deliveries of the step: what a delivery
     *     costs it, which the other load on a shared machine changes less than the rate it reaches
     */
    private record Step(
            int rate,
            RoomTally.Summary summary,
            long allMissing,
            String cpu,
            double serverMicrosPerDelivery,
            String load) {}

    /** How a target sends one room message carrying {@code sentNanos}. */
    @FunctionalInterface
    private interface Publisher {
        ListenableFuture<ClosedLoop.Outcome> publish(int connection, long sentNanos);
    }

    private RoomFanoutBenchmark(RoomBenchOptions options) {
        this.options = options;
        this.room = options.broadcast() ? Rooms.ALL : ROOM;
    }

    /** Runs the benchmark; see the class comment for the exit codes. */
    public static void main(String[] args) {
        RoomBenchOptions options = BenchMain.optionsOrExit(args, RoomBenchOptions::parse);
        BenchMain.runAndExit(() -> new RoomFanoutBenchmark(options).run());
    }

    private void run() throws Exception {
        long started = System.nanoTime();
        Path data = BenchMain.freshData("room-bench-");
        out.add(
                "## "
                        + (options.broadcast() ? "Broadcast" : "Room")
                        + " fan-out (`bench/run-room-bench --target "
                        + (options.broadcast() ? "all" : "room")
                        + "`) — "
                        + Instant.now());
        out.add("");
        MachineInfo.describe(data).forEach(l -> out.add("- " + l));
        out.add("- load average (1, 5, 15 min) at the start: " + WebBenchmark.loadAverage());
        out.add(
                String.format(
                        Locale.ROOT,
                        options.broadcast()
                                ? "- %,d TCP connections of distinct keys in no room (all of them"
                                        + " get room `%s`); broadcasts (spread 0) with expire %d;"
                                        + " steps of %d s warm-up + %d s measured"
                                : "- %,d TCP connections in room `%s`; room pushes with expire %d;"
                                        + " steps of %d s warm-up + %d s measured",
                        options.connections(),
                        room,
                        options.expire(),
                        options.warmupSeconds(),
                        options.seconds()));
        out.add("");
        if (options.runs("pushbase")) {
            pushbase(data);
        }
        if (options.runs("floor")) {
            floor();
        }
        report();
        out.add("");
        out.add("- load average at the end: " + WebBenchmark.loadAverage());
        firstFrames.forEach(
                (target, frame) -> out.add("- first frame from " + target + ": `" + frame + "`"));
        BenchMain.endReport(out, failures, started, data);
    }

    private void pushbase(Path data) throws Exception {
        LOG.info("Starting the distribution's processes, data {}", data);
        try (DistributionCluster cluster =
                        DistributionCluster.start(options.dist(), data, Map.of());
                KeepAliveHttpClient web =
                        new KeepAliveHttpClient(
                                "room-push", cluster.web().address("admin"), PUSH_CONNECTIONS)) {
            LOG.info("Processes: {}", cluster.pids());
            InetSocketAddress admin = cluster.web().address("admin");
            String path =
                    options.broadcast()
                            ? "/1/admin/push/all?spread=0&expire=" + options.expire()
                            : "/1/admin/push/room?room=" + ROOM + "&expire=" + options.expire();
            Publisher push =
                    (connection, sent) ->
                            Futures.transform(
                                    web.send(
                                            connection,
                                            KeepAliveHttpClient.postJson(
                                                    admin, path, payload(sent))),
                                    reply ->
                                            reply.status() == 200
                                                    ? ClosedLoop.Outcome.ok(1)
                                                    : ClosedLoop.Outcome.invalid(
                                                            "HTTP " + reply.status()),
                                    MoreExecutors.directExecutor());
            measure(
                    "pushbase",
                    cluster.comet().address("tcp"),
                    push,
                    Map.of("comet", cluster.pids().get("comet")));
            List<String> exited = cluster.exited();
            if (!exited.isEmpty()) {
                failures.add("server processes exited during the run: " + exited);
            }
        }
    }

    private void floor() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child =
                new ProcessBuilder(
                                java,
                                "-Xmx1g",
                                "-Dlogback.configurationFile=logback.xml",
                                "-cp",
                                System.getProperty("java.class.path"),
                                FloorServer.class.getName(),
                                Integer.toString(Runtime.getRuntime().availableProcessors()),
                                room)
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
        try (OutputStream commands = child.getOutputStream()) {
            String first =
                    new BufferedReader(
                                    new InputStreamReader(
                                            child.getInputStream(), StandardCharsets.US_ASCII))
                            .readLine();
            if (first == null || !first.startsWith("port ")) {
                throw new IOException("floor server did not start: " + first);
            }
            int port = Integer.parseInt(first.substring(5).trim());
            Publisher write =
                    (connection, sent) -> {
                        // One line per message: the floor writes it to every connection.
                        try {
                            synchronized (commands) {
                                commands.write((sent + "\n").getBytes(StandardCharsets.US_ASCII));
                                commands.flush();
                            }
                            return Futures.immediateFuture(ClosedLoop.Outcome.ok(1));
                        } catch (IOException e) {
                            return Futures.immediateFailedFuture(e);
                        }
                    };
            measure(
                    "floor",
                    new InetSocketAddress("127.0.0.1", port),
                    write,
                    Map.of("floor", child.pid()));
        } finally {
            // Its standard input closed: it exits; killed (by handle) if it does not.
            if (!child.waitFor(30, TimeUnit.SECONDS)) {
                child.destroyForcibly().waitFor();
            }
        }
    }

    private static byte[] payload(long sent) {
        return ("{\"sent\":" + sent + "}").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Opens the members, runs every rate against {@code server}, closes the members. They are
     * opened in groups of at most {@value #MAX_GROUP} (each its own {@link TcpSubscribers}, one
     * reader thread), a group once the previous one is subscribed: of 15,000 connections opened at
     * once on the loaded 2-core machine the comet closed 6,600 within 18 s (likely its 5 s {@code
     * firstRequestTimeout} passing before their {@code sub} was read; not confirmed), while 10,000
     * (one group) never were.
     */
    private void measure(
            String name, InetSocketAddress server, Publisher publisher, Map<String, Long> pids)
            throws Exception {
        int n = options.connections();
        int groupCount = (n + MAX_GROUP - 1) / MAX_GROUP;
        AtomicInteger subscribed = new AtomicInteger();
        AtomicReference<String> firstFrame = new AtomicReference<>();
        List<TcpSubscribers> groups = new ArrayList<>();
        LOG.info("{}: opening {} members in {} group(s)", name, n, groupCount);
        try {
            for (int g = 0; g < groupCount; g++) {
                int from = (int) ((long) n * g / groupCount);
                int to = (int) ((long) n * (g + 1) / groupCount);
                List<byte[]> subs = new ArrayList<>(to - from);
                for (int i = from; i < to; i++) {
                    String key = "room-bench-" + name + "-" + i;
                    subs.add(options.broadcast() ? sub(key) : sub(key, ROOM));
                }
                TcpSubscribers members =
                        TcpSubscribers.connectAll(
                                server,
                                subs,
                                new TcpSubscribers.Subscription(
                                        HEARTBEAT_SECONDS, "pushbase.1", true),
                                (s, body, length, at) -> {
                                    if (firstFrame.get() == null) {
                                        firstFrame.compareAndSet(
                                                null,
                                                new String(
                                                        body, 0, length, StandardCharsets.UTF_8));
                                    }
                                    tally.frame(body, length, at);
                                },
                                (s, at) -> subscribed.incrementAndGet());
                groups.add(members);
                awaitSubscribed(name, groups, subscribed, to);
            }
            LOG.info("{}: {} members subscribed", name, n);
            List<Step> steps = new ArrayList<>();
            for (int rate : options.rates()) {
                steps.add(step(name, rate, publisher, pids));
            }
            results.put(name, steps);
            firstFrames.put(name, firstFrame.get());
            long closed = closed(groups);
            long errors = groups.stream().mapToLong(TcpSubscribers::errorReplies).sum();
            if (closed > 0 || errors > 0) {
                failures.add(
                        name + ": " + closed + " members closed, " + errors + " error replies");
            }
        } finally {
            groups.forEach(TcpSubscribers::close);
        }
    }

    /**
     * Waits until {@code expected} members of {@code groups} are subscribed (and, in a room, have
     * joined it), at most {@link #SETTLE} × 4.
     */
    private void awaitSubscribed(
            String name, List<TcpSubscribers> groups, AtomicInteger subscribed, int expected)
            throws IOException, InterruptedException {
        long until = System.nanoTime() + SETTLE.toNanos() * 4;
        while (subscribed.get() + closed(groups) < expected && System.nanoTime() < until) {
            Thread.sleep(100);
        }
        if (subscribed.get() < expected) {
            throw new IOException(
                    name + ": " + subscribed.get() + " of " + expected + " members subscribed");
        }
        // The joins are answered after +h (a broadcast's subscribers join nothing).
        int joins = options.broadcast() ? 0 : expected;
        while (joined(groups) < joins && System.nanoTime() < until) {
            Thread.sleep(100);
        }
        if (joined(groups) < joins) {
            throw new IOException(name + ": " + joined(groups) + " of " + expected + " joined");
        }
    }

    private static long closed(List<TcpSubscribers> groups) {
        return groups.stream().mapToLong(TcpSubscribers::closedByServer).sum();
    }

    private static long joined(List<TcpSubscribers> groups) {
        return groups.stream().mapToLong(TcpSubscribers::joined).sum();
    }

    private Step step(String name, int rate, Publisher publisher, Map<String, Long> pids)
            throws Exception {
        RoomTally current = new RoomTally();
        tally = current;
        ConcurrentLinkedQueue<Long> sent = new ConcurrentLinkedQueue<>();
        Duration warmup = Duration.ofSeconds(options.warmupSeconds());
        Duration window = Duration.ofSeconds(options.seconds());
        CpuUsage cpuStart = CpuUsage.now(pids);
        OpenLoop.Result result =
                OpenLoop.run(
                        rate,
                        warmup,
                        window,
                        PUSH_CONNECTIONS,
                        (connection, intended) -> {
                            sent.add(intended);
                            return publisher.publish(connection, intended);
                        },
                        ClosedLoop.Window.NONE);
        int n = options.connections();
        long expected = (long) sent.size() * n;
        // A server behind its offered rate is still writing the backlog: wait while deliveries
        // still arrive, and give up only after SETTLE without one.
        long seen = -1;
        long until = 0;
        while (current.frames() < expected) {
            long now = System.nanoTime();
            if (current.frames() != seen) {
                seen = current.frames();
                until = now + SETTLE.toNanos();
            } else if (now > until) {
                break;
            }
            Thread.sleep(50);
        }
        CpuUsage cpu = CpuUsage.now(pids);
        long first = sent.stream().mapToLong(Long::longValue).min().orElse(0);
        long windowFrom = first + warmup.toNanos();
        List<Long> measured = sent.stream().filter(s -> s >= windowFrom).toList();
        RoomTally.Summary summary = current.summary(measured, n, window.toSeconds());
        long allMissing = current.summary(sent, n, 1).missing();
        if (allMissing > 0 || result.errors() + result.otherErrors() > 0) {
            failures.add(
                    String.format(
                            Locale.ROOT,
                            "%s at %d msgs/s: %d deliveries missing, %d pushes failed %s",
                            name,
                            rate,
                            allMissing,
                            result.errors() + result.otherErrors(),
                            result.problems()));
        }
        long serverNanos =
                cpu.childNanosSince(cpuStart).values().stream().mapToLong(Long::longValue).sum();
        Step step =
                new Step(
                        rate,
                        summary,
                        allMissing,
                        cpu.since(cpuStart),
                        current.frames() == 0 ? Double.NaN : serverNanos / 1e3 / current.frames(),
                        WebBenchmark.loadAverage());
        LOG.info(
                "{} {} msgs/s: {} deliveries/s, last member p50 {} ms p99 {} ms, {} missing",
                name,
                rate,
                Math.round(summary.deliveriesPerSecond()),
                millis(summary.lastMemberMicros().getValueAtPercentile(50)),
                millis(summary.lastMemberMicros().getValueAtPercentile(99)),
                allMissing);
        return step;
    }

    /**
     * {@code sub} with an empty token and version {@code pushbase.1}; with {@code room}, an empty
     * since and the room as the seventh argument.
     */
    private static byte[] sub(String key, String... room) {
        List<String> args =
                new ArrayList<>(
                        List.of("sub", key, Integer.toString(HEARTBEAT_SECONDS), "", "pushbase.1"));
        if (room.length > 0) {
            args.add("");
            args.addAll(List.of(room));
        }
        StringBuilder resp = new StringBuilder("*").append(args.size()).append("\r\n");
        for (String arg : args) {
            resp.append('$').append(arg.length()).append("\r\n").append(arg).append("\r\n");
        }
        return resp.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static String millis(long micros) {
        return String.format(Locale.ROOT, "%.1f", micros / 1000.0);
    }

    private void report() {
        out.add(
                "| msgs/s | offered deliveries/s | target | deliveries/s | last member p50 ms | p99"
                        + " ms | max ms | missing | server CPU µs/delivery | CPU | load avg after"
                        + " |");
        out.add("|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---|");
        List<Step> pushbase = results.getOrDefault("pushbase", List.of());
        List<Step> floor = results.getOrDefault("floor", List.of());
        for (Map.Entry<String, List<Step>> target : results.entrySet()) {
            for (Step s : target.getValue()) {
                out.add(
                        String.format(
                                Locale.ROOT,
                                "| %d | %,d | %s | %,.0f | %s | %s | %s | %d | %.2f | %s | %s |",
                                s.rate(),
                                (long) s.rate() * options.connections(),
                                target.getKey(),
                                s.summary().deliveriesPerSecond(),
                                millis(s.summary().lastMemberMicros().getValueAtPercentile(50)),
                                millis(s.summary().lastMemberMicros().getValueAtPercentile(99)),
                                millis(s.summary().lastMemberMicros().getMaxValue()),
                                s.allMissing(),
                                s.serverMicrosPerDelivery(),
                                s.cpu(),
                                s.load()));
            }
        }
        if (!pushbase.isEmpty() && pushbase.size() == floor.size()) {
            out.add("");
            out.add("| msgs/s | Pushbase ÷ floor deliveries/s | target ≥ 0.7 |");
            out.add("|---:|---:|---|");
            for (int i = 0; i < pushbase.size(); i++) {
                double ratio =
                        pushbase.get(i).summary().deliveriesPerSecond()
                                / floor.get(i).summary().deliveriesPerSecond();
                out.add(
                        String.format(
                                Locale.ROOT,
                                "| %d | %.2f | %s |",
                                pushbase.get(i).rate(),
                                ratio,
                                ratio >= 0.7 ? "met" : "**short**"));
            }
        }
    }
}
