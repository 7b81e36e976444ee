package io.pushbase.bench;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.pushbase.launcher.nodes.LoopbackPorts;
import io.pushbase.schema.comet.v1.CometServiceGrpc;
import io.pushbase.schema.comet.v1.CometServiceGrpc.CometServiceStub;
import io.pushbase.schema.comet.v1.PushReply;
import io.pushbase.schema.comet.v1.PushRequest;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import net.sourceforge.argparse4j.inf.ArgumentParserException;
import net.sourceforge.argparse4j.inf.Namespace;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery benchmark (issue 3): messages/s delivered and publish→receive latency through one
 * comet at a fixed offered rate, with and without storage. Open model: the publisher sends {@code
 * Push} calls to the comet's gRPC port at evenly spaced intended send times whatever the answers do
 * (a late send is sent at once, never skipped), and latency is measured from the intended send time
 * to the message's arrival at its TCP subscriber, in an HdrHistogram — so queueing anywhere shows
 * up instead of being hidden (no coordinated omission).
 *
 * <p>Nodes: {@link WebCluster} (ZooKeeper, the message node over the HBase mini cluster in this
 * JVM; the comet and an idle web node as child JVMs, as the README runs them). Subscribers: one TCP
 * connection per key ({@link DeliverySubscribers}). "With storage" pushes with expire 600 s (the
 * comet appends to the message node — through its append batcher unless {@code
 * PUSHBASE_APPEND_BATCH=false} — and delivers only after the message is durable); "without" with
 * expire 0 (the mid is still taken at the message node, nothing is stored).
 *
 * <p>Run it with {@code bench/run-delivery-bench}; progress to stderr, results (a Markdown table
 * and the machine) to stdout. Exits 0 after a complete run, 1 if it could not complete, 2 on bad
 * usage.
 */
public final class DeliveryBenchmark {
    /** Pushes outstanding at most; beyond, a send is counted as failed (the comet is drowning). */
    private static final int MAX_OUTSTANDING = 50_000;

    private static final long DRAIN_MILLIS = 15_000;

    private final Logger log = LoggerFactory.getLogger(DeliveryBenchmark.class);
    private final Path repoRoot = Path.of("").toAbsolutePath();
    private final Duration measure;
    private final Duration warmup;
    private final Duration prewarm;
    private final int keyCount;
    private final List<Integer> rates;
    private final List<String> storage;

    private DeliveryBenchmark(Namespace flags) {
        this.measure = Duration.ofSeconds(flags.getInt("seconds"));
        this.warmup = Duration.ofSeconds(flags.getInt("warmup"));
        this.prewarm = Duration.ofSeconds(flags.getInt("prewarm"));
        this.keyCount = flags.getInt("keys");
        this.rates = flags.getList("rates");
        this.storage = flags.getList("storage");
    }

    private static DeliveryBenchmark parse(String[] args) throws ArgumentParserException {
        return new DeliveryBenchmark(
                BenchArguments.of(
                                "bench/run-delivery-bench",
                                "The delivery benchmark: messages/s delivered and publish-to-receive"
                                        + " latency through one comet at fixed offered rates,"
                                        + " with and without storage.",
                                "")
                        .windows(
                                "15",
                                "5",
                                "warm-up per scenario at its rate, not measured, in seconds",
                                "60",
                                "JIT warm-up at 2,000 pushes/s before the first scenario in"
                                        + " seconds")
                        .option(
                                "keys",
                                BenchArguments.number(1),
                                "1000",
                                "N",
                                "keys, one TCP subscriber each")
                        .option(
                                "rates",
                                BenchArguments.numbers(1),
                                "2000,5000,10000,20000",
                                "LIST",
                                "offered pushes/s, one scenario each")
                        .option(
                                "storage",
                                BenchArguments.subset(List.of("on", "off")),
                                "on,off",
                                "LIST",
                                "on (expire 600 s), off (expire 0), or both")
                        .parse(args));
    }

    /** One scenario's figures. */
    private record Row(
            String storage,
            int offered,
            double delivered,
            Histogram latencyMicros,
            long sent,
            long failed,
            long missing,
            String cpu,
            String cpuPerPush,
            long appendManyCalls) {}

    /** Runs the benchmark; see the class comment for arguments and exit codes. */
    public static void main(String[] args) {
        DeliveryBenchmark bench = BenchMain.optionsOrExit(args, DeliveryBenchmark::parse);
        BenchMain.runWithStoreLogging(bench::run);
    }

    private void run() throws Exception {
        Path dataDir = StoreStack.useDataDir();
        long started = System.nanoTime();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < keyCount; i++) {
            keys.add(String.format(Locale.ROOT, "dlv:%06d", i));
        }
        List<Row> rows = new ArrayList<>();
        try (WebCluster cluster = WebCluster.start(repoRoot, true)) {
            LoopbackPorts ports = cluster.cometPorts();
            ManagedChannel channel =
                    NettyChannelBuilder.forAddress("127.0.0.1", ports.port("grpc"))
                            .usePlaintext()
                            .build();
            try (DeliverySubscribers subs =
                    DeliverySubscribers.open(
                            new InetSocketAddress("127.0.0.1", ports.port("tcp")), keys)) {
                log.info("{} TCP subscribers on the comet", keys.size());
                Publisher publisher =
                        new Publisher(CometServiceGrpc.newStub(channel), keys, subs.base());
                if (!prewarm.isZero()) {
                    log.info("Pre-warm: {} s at 2,000 pushes/s with storage", prewarm.toSeconds());
                    publisher.run(2_000, 600, prewarm.toNanos(), Long.MAX_VALUE, () -> {});
                    publisher.drain();
                }
                for (String mode : storage) {
                    for (int rate : rates) {
                        rows.add(scenario(cluster, ports, subs, publisher, mode, rate));
                    }
                }
            } finally {
                channel.shutdownNow();
            }
        }
        print(rows, dataDir, (System.nanoTime() - started) / 1e9);
    }

    private static final Pattern BATCHES =
            Pattern.compile("\"appendBatcher\\.batchSize\":\\{\"count\":(\\d+)");

    /**
     * AppendMany calls the comet has sent so far (its histogram {@code appendBatcher.batchSize}
     * counts one per call), from its admin {@code /metrics}; -1 when unknown (batching off).
     */
    private static long cometBatches(LoopbackPorts ports) {
        return AdminNumbers.read(ports.port("admin"), "/metrics", BATCHES, Duration.ofSeconds(5));
    }

    private Row scenario(
            WebCluster cluster,
            LoopbackPorts ports,
            DeliverySubscribers subs,
            Publisher publisher,
            String mode,
            int rate)
            throws Exception {
        long expire = mode.equals("on") ? 600 : 0;
        long start = System.nanoTime() - subs.base();
        long from = start + warmup.toNanos();
        long to = from + measure.toNanos();
        subs.take();
        subs.window(from, to);
        publisher.reset(from, to);
        log.info("Scenario: storage {}, {} pushes/s offered", mode, rate);
        CpuUsage[] cpu = new CpuUsage[1];
        // Read off the publisher's thread, so the HTTP call cannot delay a send.
        CompletableFuture<Long> batches = new CompletableFuture<>();
        publisher.run(
                rate,
                expire,
                to - start,
                from,
                () -> {
                    cpu[0] = CpuUsage.now(cluster.children());
                    CompletableFuture.runAsync(() -> batches.complete(cometBatches(ports)));
                });
        CpuUsage end = CpuUsage.now(cluster.children());
        publisher.drain();
        long sent = publisher.sentInWindow.get();
        long failed = publisher.failedInWindow.get();
        long until = System.currentTimeMillis() + DRAIN_MILLIS;
        while (subs.received() < sent - failed && System.currentTimeMillis() < until) {
            Thread.sleep(50);
        }
        long received = subs.received();
        Histogram h = subs.take();
        subs.window(Long.MAX_VALUE, Long.MAX_VALUE);
        double seconds = measure.toNanos() / 1e9;
        double delivered = received / seconds;
        Row row =
                new Row(
                        mode,
                        rate,
                        delivered,
                        h,
                        sent,
                        failed,
                        Math.max(0, sent - failed - received),
                        end.since(cpu[0]),
                        end.perRequest(cpu[0], delivered),
                        batches.join() < 0 ? -1 : cometBatches(ports) - batches.join());
        log.info(
                "storage {}, offered {}/s: delivered {}/s, p50 {} ms, p99 {} ms, failed {},"
                        + " missing {}; {}",
                mode,
                rate,
                String.format(Locale.ROOT, "%.0f", delivered),
                ms(h.getValueAtPercentile(50)),
                ms(h.getValueAtPercentile(99)),
                failed,
                row.missing(),
                row.cpu());
        return row;
    }

    /**
     * Sends pushes at a fixed rate from one thread. Counts, for pushes whose intended send time is
     * in the measured window, how many were sent and how many failed (an error answer, or not sent
     * because {@value #MAX_OUTSTANDING} were outstanding).
     */
    private static final class Publisher {
        private final CometServiceStub stub;
        private final List<String> keys;
        private final long base;
        private final AtomicInteger outstanding = new AtomicInteger();
        final AtomicLong sentInWindow = new AtomicLong();
        final AtomicLong failedInWindow = new AtomicLong();
        private long windowFrom = Long.MAX_VALUE;
        private long windowTo = Long.MAX_VALUE;
        private long seq;

        Publisher(CometServiceStub stub, List<String> keys, long base) {
            this.stub = stub;
            this.keys = keys;
            this.base = base;
        }

        void reset(long from, long to) {
            windowFrom = from;
            windowTo = to;
            sentInWindow.set(0);
            failedInWindow.set(0);
        }

        /**
         * Sends for {@code durationNanos} from now, at intended send times {@code now + i / rate};
         * runs {@code atMark} once, when the first push intended at or after {@code markAt} (ns
         * after base) is due.
         */
        void run(int rate, long expire, long durationNanos, long markAt, Runnable atMark)
                throws InterruptedException {
            long start = System.nanoTime() - base;
            long interval = 1_000_000_000L / rate;
            long count = durationNanos / interval;
            boolean marked = false;
            for (long i = 0; i < count; i++) {
                long intended = start + i * interval;
                long wait = intended - (System.nanoTime() - base);
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                if (!marked && intended >= markAt) {
                    atMark.run();
                    marked = true;
                }
                send(intended, expire);
            }
        }

        private void send(long intended, long expire) {
            boolean inWindow = intended >= windowFrom && intended < windowTo;
            if (inWindow) {
                sentInWindow.incrementAndGet();
            }
            if (outstanding.get() >= MAX_OUTSTANDING) {
                if (inWindow) {
                    failedInWindow.incrementAndGet();
                }
                return;
            }
            String key = keys.get((int) (seq++ % keys.size()));
            byte[] json =
                    ("{\"bt\":" + intended + ",\"s\":" + seq + "}")
                            .getBytes(StandardCharsets.US_ASCII);
            outstanding.incrementAndGet();
            stub.withDeadlineAfter(30, TimeUnit.SECONDS)
                    .push(
                            PushRequest.newBuilder()
                                    .setKey(key)
                                    .setPayload(ByteString.copyFrom(json))
                                    .setExpireSeconds(expire)
                                    .build(),
                            new StreamObserver<>() {
                                @Override
                                public void onNext(PushReply value) {}

                                @Override
                                public void onError(Throwable t) {
                                    outstanding.decrementAndGet();
                                    if (inWindow) {
                                        failedInWindow.incrementAndGet();
                                    }
                                }

                                @Override
                                public void onCompleted() {
                                    outstanding.decrementAndGet();
                                }
                            });
        }

        /** Waits (up to 30 s) until every push sent has been answered. */
        void drain() throws InterruptedException {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (outstanding.get() > 0 && System.nanoTime() < until) {
                Thread.sleep(20);
            }
        }
    }

    private static String ms(long micros) {
        return String.format(Locale.ROOT, "%.3f", micros / 1000.0);
    }

    private void print(List<Row> rows, Path dataDir, double tookSeconds) {
        StringBuilder out = new StringBuilder();
        out.append(
                String.format(
                        Locale.ROOT,
                        "## Delivery benchmark (bench/run-delivery-bench)%n%n%d TCP subscribers"
                                + " (one per key), open model, warm-up %d s and measured %d s per"
                                + " scenario, append batching %s; run took %.0f s.%n%n",
                        keyCount,
                        warmup.toSeconds(),
                        measure.toSeconds(),
                        "false".equalsIgnoreCase(System.getenv("PUSHBASE_APPEND_BATCH"))
                                ? "off (PUSHBASE_APPEND_BATCH=false)"
                                : "on",
                        tookSeconds));
        out.append(
                "| Storage | Offered (/s) | Delivered (/s) | p50 (ms) | p99 (ms) | p99.9 (ms) |"
                        + " max (ms) | Failed | Not delivered |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            Histogram h = r.latencyMicros();
            out.append(
                    String.format(
                            Locale.ROOT,
                            "| %s | %,d | %,.0f | %s | %s | %s | %s | %d | %d |%n",
                            r.storage().equals("on") ? "expire 600 s (durable)" : "expire 0",
                            r.offered(),
                            r.delivered(),
                            ms(h.getValueAtPercentile(50)),
                            ms(h.getValueAtPercentile(99)),
                            ms(h.getValueAtPercentile(99.9)),
                            ms(h.getMaxValue()),
                            r.failed(),
                            r.missing()));
        }
        out.append("\nCPU per scenario (measured window):\n\n");
        for (Row r : rows) {
            out.append(
                    String.format(
                            Locale.ROOT,
                            "- storage %s, %,d/s: %s; per delivered push: %s; %s%n",
                            r.storage(),
                            r.offered(),
                            r.cpu(),
                            r.cpuPerPush(),
                            r.appendManyCalls() <= 0
                                    ? "no AppendMany calls counted"
                                    : String.format(
                                            Locale.ROOT,
                                            "%,d AppendMany calls, %.1f pushes per call",
                                            r.appendManyCalls(),
                                            r.sent() / (double) r.appendManyCalls())));
        }
        out.append("\nMachine:\n\n");
        for (String line : MachineInfo.describe(dataDir)) {
            out.append("- ").append(line).append('\n');
        }
        System.out.print(out);
    }
}
