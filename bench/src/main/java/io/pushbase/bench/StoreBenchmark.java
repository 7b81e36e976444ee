package io.pushbase.bench;

import static com.google.common.util.concurrent.MoreExecutors.directExecutor;

import com.codahale.metrics.Counting;
import com.google.common.util.concurrent.Futures;
import com.google.protobuf.ByteString;
import io.pushbase.bench.ClosedLoop.Outcome;
import io.pushbase.bench.ClosedLoop.Result;
import io.pushbase.schema.message.v1.AppendManyReply;
import io.pushbase.schema.message.v1.AppendManyRequest;
import io.pushbase.schema.message.v1.AppendOutcome;
import io.pushbase.schema.message.v1.AppendRequest;
import io.pushbase.schema.message.v1.FetchReply;
import io.pushbase.schema.message.v1.FetchRequest;
import io.pushbase.schema.message.v1.MessageServiceGrpc.MessageServiceFutureStub;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The message-store benchmark: the HBase store of a message node, served over real gRPC on
 * loopback, driven closed-loop by a real gRPC client in the same JVM (see {@link StoreStack}). Run
 * it with {@code bench/run-store-bench [--seconds N]}; options are in {@link BenchOptions}.
 *
 * <p>Scenarios, each with a warm-up then a measured window: {@code Append} (check-and-mutate of the
 * key's head, then the durable put) at 32 callers and {@code AppendMany} of 32 keys at 8 callers
 * (ops/s counts appended entries); {@code Fetch} of 100 messages from pre-filled keys at 1 and 8
 * callers. Progress goes to stderr; the results (a Markdown table and the machine) go to stdout.
 * Exits 0 after a complete run (failed calls are counted in the table), 1 if the run could not
 * complete, 2 on bad usage.
 */
public final class StoreBenchmark {
    /** Expiry of every benchmark message, in seconds. */
    static final long EXPIRE_SECONDS = 3600;

    static final int FETCH_LIMIT = 100;
    static final int APPEND_CALLERS = 32;
    static final int APPEND_MANY_BATCH = 32;
    static final int APPEND_MANY_CALLERS = 8;
    static final int[] FETCH_CALLERS = {1, 8};

    /** Deadline of every benchmark call; far above any expected latency. */
    static final long CALL_DEADLINE_SECONDS = 30;

    private final BenchOptions options;
    private final Logger log = LoggerFactory.getLogger(StoreBenchmark.class);
    private final MidSequence mids = new MidSequence();
    private final ByteString payload = payload();
    private StoreStack stack;

    private StoreBenchmark(BenchOptions options) {
        this.options = options;
    }

    /** Runs the benchmark; see the class comment for arguments and exit codes. */
    public static void main(String[] args) {
        BenchOptions options = BenchMain.optionsOrExit(args, BenchOptions::parse);
        BenchMain.runWithStoreLogging(() -> new StoreBenchmark(options).run());
    }

    private void run() throws Exception {
        Path dataDir = StoreStack.useDataDir();
        log.info(
                "Store benchmark: pre-warm {} s, then per scenario warm-up {} s and measured"
                        + " window {} s; {} keys, {} fetch keys, scenarios {}",
                options.prewarm().toSeconds(),
                options.warmup().toSeconds(),
                options.measure().toSeconds(),
                options.keys(),
                options.fetchKeys(),
                options.scenarios());
        long started = System.nanoTime();
        List<Row> rows = new ArrayList<>();
        stack = StoreStack.start();
        try {
            prewarm();
            if (options.runs("append")) {
                rows.add(measure(() -> append(APPEND_CALLERS)));
                rows.add(measure(() -> appendMany(APPEND_MANY_CALLERS)));
            }
            if (options.runs("fetch")) {
                prefillFetchKeys();
                for (int callers : FETCH_CALLERS) {
                    rows.add(measure(() -> fetch(callers)));
                }
            }
        } finally {
            stack.close();
        }
        printResults(rows, dataDir, (System.nanoTime() - started) / 1e9);
    }

    // ---- scenarios ------------------------------------------------------------------------

    /**
     * Appends and fetches on keys of their own, unmeasured, so the first scenario does not pay for
     * class loading and JIT compilation of gRPC, protobuf and HBase client and server.
     */
    private void prewarm() throws InterruptedException {
        if (options.prewarm().isZero()) {
            return;
        }
        List<String> keys = keys("warm", 1_000);
        CpuUsage cpu = CpuUsage.now();
        Result r =
                ClosedLoop.run(
                        "Pre-warm (Append, Fetch)",
                        8,
                        Duration.ZERO,
                        options.prewarm(),
                        caller -> {
                            String key = keys.get(random(keys.size()));
                            if (caller % 2 == 0) {
                                return Futures.transform(
                                        stub().fetch(FetchRequest.newBuilder().setKey(key).build()),
                                        reply -> Outcome.ok(1),
                                        directExecutor());
                            }
                            return Futures.transform(
                                    stub().append(appendRequest(key)),
                                    reply -> Outcome.ok(1),
                                    directExecutor());
                        });
        log.info(
                "Pre-warm: {} calls/s for {} s, {} errors (not reported); {}",
                String.format(Locale.ROOT, "%.0f", r.callsPerSecond()),
                options.prewarm().toSeconds(),
                r.errors(),
                CpuUsage.now().since(cpu));
    }

    /** Single {@code Append}s over many keys, each with its own claim and a time-like mid. */
    private Result append(int callers) throws InterruptedException {
        List<String> keys = keys("append", options.keys());
        return ClosedLoop.run(
                "Append",
                callers,
                options.warmup(),
                options.measure(),
                caller -> {
                    AppendRequest request = appendRequest(keys.get(random(keys.size())));
                    return Futures.transform(
                            stub().append(request),
                            reply -> Outcome.ok(reply.getAppended() ? 1 : 0),
                            directExecutor());
                });
    }

    /**
     * {@code AppendMany} of {@value #APPEND_MANY_BATCH} distinct keys per call, as a comet's
     * batcher sends them; ops/s counts appended entries (a refused one, a key raced by another
     * caller with a larger mid, counts 0; any other outcome is an error).
     */
    private Result appendMany(int callers) throws InterruptedException {
        List<String> keys = keys("appendmany", options.keys());
        AtomicLong batches = new AtomicLong();
        return ClosedLoop.run(
                "AppendMany (" + APPEND_MANY_BATCH + " entries/call)",
                callers,
                options.warmup(),
                options.measure(),
                caller -> {
                    int first =
                            (int) ((batches.getAndIncrement() * APPEND_MANY_BATCH) % keys.size());
                    AppendManyRequest.Builder request = AppendManyRequest.newBuilder();
                    for (int i = 0; i < APPEND_MANY_BATCH; i++) {
                        request.addEntries(appendRequest(keys.get((first + i) % keys.size())));
                    }
                    return Futures.transform(
                            stub().appendMany(request.build()),
                            StoreBenchmark::appendManyOutcome,
                            directExecutor());
                });
    }

    private AppendRequest appendRequest(String key) {
        byte[] claim = new byte[16];
        ThreadLocalRandom.current().nextBytes(claim);
        return AppendRequest.newBuilder()
                .setKey(key)
                .setMid(mids.next())
                .setClaim(ByteString.copyFrom(claim))
                .setPayload(payload)
                .setExpireSeconds(EXPIRE_SECONDS)
                .build();
    }

    private static Outcome appendManyOutcome(AppendManyReply reply) {
        long appended = 0;
        for (AppendOutcome o : reply.getOutcomesList()) {
            switch (o.getStatus()) {
                case APPENDED -> appended++;
                case REFUSED -> {}
                default -> {
                    return Outcome.invalid("AppendMany entry " + o.getStatus() + ": " + o);
                }
            }
        }
        return Outcome.ok(appended);
    }

    /** Stores {@code FETCH_LIMIT} messages in each fetch key, then flushes them to disk. */
    private void prefillFetchKeys() throws Exception {
        long t0 = System.nanoTime();
        List<String> keys = keys("fetch", options.fetchKeys());
        stack.prefill(keys, FETCH_LIMIT, payload, EXPIRE_SECONDS, mids);
        log.info(
                "Pre-filled {} keys with {} messages each and flushed the table in {} ms",
                keys.size(),
                FETCH_LIMIT,
                (System.nanoTime() - t0) / 1_000_000);
    }

    private Result fetch(int callers) throws InterruptedException {
        List<String> keys = keys("fetch", options.fetchKeys());
        return ClosedLoop.run(
                "Fetch (" + FETCH_LIMIT + " messages)",
                callers,
                options.warmup(),
                options.measure(),
                caller -> {
                    FetchRequest request =
                            FetchRequest.newBuilder()
                                    .setKey(keys.get(random(keys.size())))
                                    .setAfter(0)
                                    .setLimit(FETCH_LIMIT)
                                    .build();
                    return Futures.transform(
                            stub().fetch(request), StoreBenchmark::fetchOutcome, directExecutor());
                });
    }

    private static Outcome fetchOutcome(FetchReply reply) {
        int n = reply.getMessagesCount();
        if (n != FETCH_LIMIT) {
            return Outcome.invalid("Fetch returned " + n + " messages, expected " + FETCH_LIMIT);
        }
        for (int i = 1; i < n; i++) {
            if (reply.getMessages(i - 1).getMid() >= reply.getMessages(i).getMid()) {
                return Outcome.invalid("Fetch returned mids out of ascending order");
            }
        }
        return Outcome.ok(1);
    }

    // ---- helpers --------------------------------------------------------------------------

    private MessageServiceFutureStub stub() {
        return stack.stub().withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    private static int random(int bound) {
        return ThreadLocalRandom.current().nextInt(bound);
    }

    static List<String> keys(String scenario, int n) {
        List<String> keys = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            keys.add(String.format(Locale.ROOT, "bench:%s:user%06d", scenario, i));
        }
        return keys;
    }

    /** A JSON push of about 200 bytes, like a chat notification. */
    static ByteString payload() {
        String json =
                "{\"type\":\"chat\",\"from\":\"user:4711\",\"to\":\"user:0815\","
                        + "\"ts\":1700000000000,\"title\":\"New message\",\"body\":\"";
        StringBuilder body = new StringBuilder(json);
        String filler = "Hi! Are we still on for lunch tomorrow at noon? ";
        while (body.length() < 198) {
            body.append(filler.charAt((body.length() - json.length()) % filler.length()));
        }
        body.append("\"}");
        return ByteString.copyFrom(body.toString(), StandardCharsets.UTF_8);
    }

    // ---- reporting ------------------------------------------------------------------------

    /** One table row: a scenario's result and what else happened meanwhile. */
    private record Row(Result result, String sideEffects) {}

    @FunctionalInterface
    private interface Scenario {
        Result run() throws Exception;
    }

    /** Runs a scenario, logs its result and what GC and the key trimmer did meanwhile. */
    private Row measure(Scenario scenario) throws Exception {
        log.info(
                "Store settled (trims done, flushed, no compaction) in {} ms",
                stack.settle(120_000));
        long gcCount = gcCount();
        long gcMillis = gcMillis();
        long trims = count("store.trim.runs");
        long trimmedRows = count("store.trim.rows");
        long deferred = count("store.trim.deferred");
        CpuUsage cpu = CpuUsage.now();
        Result r = scenario.run();
        String sideEffects =
                String.format(
                        Locale.ROOT,
                        "%s; GC %d ms in %d collections; key trimmer %d trims deleting %d"
                                + " rows, %d trims deferred (warm-up included)",
                        CpuUsage.now().since(cpu),
                        gcMillis() - gcMillis,
                        gcCount() - gcCount,
                        count("store.trim.runs") - trims,
                        count("store.trim.rows") - trimmedRows,
                        count("store.trim.deferred") - deferred);
        Histogram h = r.latencyMicros();
        log.info(
                "{} x{}: {} calls/s, {} units/s, p50 {} / p99 {} / p99.9 {} / max {} ms,"
                        + " errors {} (+{} outside the window); {}",
                r.scenario(),
                r.callers(),
                String.format(Locale.ROOT, "%.0f", r.callsPerSecond()),
                String.format(Locale.ROOT, "%.0f", r.unitsPerSecond()),
                millis(h.getValueAtPercentile(50)),
                millis(h.getValueAtPercentile(99)),
                millis(h.getValueAtPercentile(99.9)),
                millis(h.getMaxValue()),
                r.errors(),
                r.warmupErrors(),
                sideEffects);
        r.problems().forEach((problem, n) -> log.warn("  {} x {}", n, problem));
        return new Row(r, sideEffects);
    }

    private long count(String metric) {
        return stack.metrics().getMetrics().get(metric) instanceof Counting c ? c.getCount() : 0;
    }

    private static long gcCount() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(gc -> Math.max(0, gc.getCollectionCount()))
                .sum();
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(gc -> Math.max(0, gc.getCollectionTime()))
                .sum();
    }

    private void printResults(List<Row> rows, Path dataDir, double seconds) {
        StringBuilder out = new StringBuilder();
        out.append("\n## Message store benchmark\n\n");
        out.append(
                String.format(
                        Locale.ROOT,
                        "Closed loop over real gRPC (loopback) into HBaseMessageStore on an"
                                + " in-process HBase mini cluster; pre-warm %d s, then warm-up"
                                + " %d s and measured %d s per scenario; run took %.0f s.%n%n",
                        options.prewarm().toSeconds(),
                        options.warmup().toSeconds(),
                        options.measure().toSeconds(),
                        seconds));
        out.append("| Scenario | Callers | ops/s | p50 (ms) | p99 (ms) | p99.9 (ms) | Errors |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|\n");
        long totalErrors = 0;
        for (Row row : rows) {
            Result r = row.result();
            Histogram h = r.latencyMicros();
            String errors =
                    r.errors() + (r.warmupErrors() > 0 ? " (+" + r.warmupErrors() + ")" : "");
            totalErrors += r.errors() + r.warmupErrors();
            out.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %d | %,.0f | %s | %s | %s | %s |%n",
                            r.scenario(),
                            r.callers(),
                            r.unitsPerSecond(),
                            millis(h.getValueAtPercentile(50)),
                            millis(h.getValueAtPercentile(99)),
                            millis(h.getValueAtPercentile(99.9)),
                            errors));
        }
        out.append("\n");
        out.append(
                "ops/s: calls answered correctly per second in the measured window; for"
                        + " Append and AppendMany, messages appended per second. Latency: per"
                        + " call, from issue to answer (HdrHistogram, µs precision). Errors:"
                        + " failed or wrong calls in the window (+ during warm-up).\n\n");
        for (Row row : rows) {
            Result r = row.result();
            out.append(String.format(Locale.ROOT, "- %s x%d: ", r.scenario(), r.callers()));
            if (r.units() != r.calls()) {
                out.append(String.format(Locale.ROOT, "%,.0f calls/s; ", r.callsPerSecond()));
            }
            out.append(
                    String.format(
                            Locale.ROOT,
                            "max %s ms; %s.%n",
                            millis(r.latencyMicros().getMaxValue()),
                            row.sideEffects()));
        }
        if (totalErrors > 0) {
            out.append("\n**").append(totalErrors).append(" calls failed** (see the log).\n");
        }
        out.append("\nMachine:\n\n");
        for (String line : MachineInfo.describe(dataDir)) {
            out.append("- ").append(line).append('\n');
        }
        System.out.print(out);
    }

    static String millis(long micros) {
        return String.format(Locale.ROOT, "%.3f", micros / 1000.0);
    }
}
