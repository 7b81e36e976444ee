package io.pushbase.bench;

import com.codahale.metrics.MetricRegistry;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.pushbase.cluster.grpc.GrpcServer;
import io.pushbase.schema.hbase.MessageTableLayout;
import io.pushbase.schema.message.v1.AppendManyReply;
import io.pushbase.schema.message.v1.AppendManyRequest;
import io.pushbase.schema.message.v1.AppendOutcome;
import io.pushbase.schema.message.v1.AppendRequest;
import io.pushbase.schema.message.v1.MessageServiceGrpc;
import io.pushbase.schema.message.v1.MessageServiceGrpc.MessageServiceFutureStub;
import io.pushbase.store.app.MessageApplication;
import io.pushbase.store.app.MessageConfiguration;
import io.pushbase.store.app.MessageStoreStack;
import io.pushbase.store.hbase.HBaseClient;
import io.pushbase.store.hbase.KeyTrimmer;
import io.pushbase.store.hbase.MiniHBase;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything under test, built as {@code MessageApplication} builds a message node: an HBase mini
 * cluster in this JVM, then the store stack of a default {@link MessageConfiguration} whose HBase
 * ZooKeeper quorum points at the mini cluster ({@link MessageConfiguration#buildStore}: the node's
 * HBase client with its production time bounds, {@link KeyTrimmer}, the HBase store behind its
 * metrics), the node's own gRPC server on loopback and a real Netty gRPC client channel to it.
 */
final class StoreStack implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StoreStack.class);

    static final int CLIENT_MAX_INBOUND_BYTES = 16 * 1024 * 1024;
    private static final long PREFILL_DEADLINE_SECONDS = 30;

    private final MetricRegistry metrics = new MetricRegistry();
    private MiniHBase mini;
    private MessageTableLayout layout;
    private HBaseClient hbase;
    private KeyTrimmer trimmer;
    private GrpcServer server;
    private ManagedChannel channel;
    private MessageServiceFutureStub stub;

    private StoreStack() {}

    /**
     * Where the mini cluster keeps its ZooKeeper, WAL and store files: the system property {@code
     * test.build.data.basedirectory} (HBaseTestingUtility's) if set, else {@code bench.dataDir}
     * (the run scripts set it), else a folder under the temp directory; sets the former. Call
     * before {@link #start()}.
     */
    static Path useDataDir() {
        String set = System.getProperty("test.build.data.basedirectory");
        if (set != null) {
            return Path.of(set);
        }
        Path dataDir =
                Path.of(
                        System.getProperty(
                                "bench.dataDir",
                                Path.of(System.getProperty("java.io.tmpdir"), "pushbase-bench")
                                        .toString()));
        System.setProperty("test.build.data.basedirectory", dataDir.toString());
        return dataDir;
    }

    /** Starts the whole stack; on failure, stops what had started and rethrows. */
    static StoreStack start() throws Exception {
        StoreStack stack = new StoreStack();
        try {
            stack.startAll();
        } catch (Exception | Error e) {
            stack.close();
            throw e;
        }
        return stack;
    }

    private void startAll() throws Exception {
        long t0 = System.nanoTime();
        mini = MiniHBase.start();
        LOG.info(
                "HBase mini cluster up in {} ms (ZooKeeper {})",
                (System.nanoTime() - t0) / 1_000_000,
                mini.zookeeperQuorum());

        MessageConfiguration config = new MessageConfiguration();
        config.getHbase().setZookeeperQuorum(mini.zookeeperQuorum());
        layout = config.getHbase().layout();
        MessageStoreStack stack = config.buildStore(metrics);
        hbase = stack.hbase();
        hbase.start();
        trimmer = stack.trimmer();

        server =
                new GrpcServer(
                        MessageApplication.grpcServerBuilder(
                                new InetSocketAddress("127.0.0.1", 0),
                                stack.store(),
                                stack.limits(),
                                "bench"),
                        5_000);
        server.start();

        channel =
                NettyChannelBuilder.forAddress("127.0.0.1", server.port())
                        .usePlaintext()
                        .maxInboundMessageSize(CLIENT_MAX_INBOUND_BYTES)
                        .build();
        stub = MessageServiceGrpc.newFutureStub(channel);
        LOG.info(
                "Store ready in {} ms: table {}, gRPC on 127.0.0.1:{}",
                (System.nanoTime() - t0) / 1_000_000,
                layout.tableName(),
                server.port());
    }

    /** The port of the message node's gRPC server (loopback). */
    int grpcPort() {
        return server.port();
    }

    /**
     * Stores {@code messages} messages in every key of {@code keys} through {@code AppendMany} (one
     * mid per round for every key; a round is sent in calls of at most 1,000 keys, 8 in flight, and
     * finishes before the next starts, so each key's mids arrive in order), then waits for the key
     * trimmer and flushes the table, so readers start from a store at rest.
     *
     * @throws IllegalStateException when any entry was not appended
     */
    void prefill(
            List<String> keys,
            int messages,
            ByteString payload,
            long expireSeconds,
            MidSequence mids)
            throws Exception {
        List<List<String>> chunks = new ArrayList<>();
        for (int i = 0; i < keys.size(); i += 1_000) {
            chunks.add(keys.subList(i, Math.min(keys.size(), i + 1_000)));
        }
        List<ListenableFuture<AppendManyReply>> window = new ArrayList<>();
        for (int m = 0; m < messages; m++) {
            long mid = mids.next();
            for (List<String> chunk : chunks) {
                AppendManyRequest.Builder request = AppendManyRequest.newBuilder();
                for (String key : chunk) {
                    byte[] claim = new byte[16];
                    ThreadLocalRandom.current().nextBytes(claim);
                    request.addEntries(
                            AppendRequest.newBuilder()
                                    .setKey(key)
                                    .setMid(mid)
                                    .setClaim(ByteString.copyFrom(claim))
                                    .setPayload(payload)
                                    .setExpireSeconds(expireSeconds));
                }
                window.add(
                        stub().withDeadlineAfter(PREFILL_DEADLINE_SECONDS, TimeUnit.SECONDS)
                                .appendMany(request.build()));
                if (window.size() == 8) {
                    awaitPrefill(window);
                }
            }
            awaitPrefill(window);
        }
        int trims = awaitTrims(60_000);
        if (trims > 0) {
            LOG.warn("{} trims still running after the pre-fill", trims);
        }
        flush();
    }

    private static void awaitPrefill(List<ListenableFuture<AppendManyReply>> window)
            throws Exception {
        List<AppendManyReply> replies =
                Futures.allAsList(window).get(2 * PREFILL_DEADLINE_SECONDS, TimeUnit.SECONDS);
        for (AppendManyReply reply : replies) {
            List<AppendOutcome> failed =
                    reply.getOutcomesList().stream()
                            .filter(o -> o.getStatus() != AppendOutcome.Status.APPENDED)
                            .toList();
            if (!failed.isEmpty()) {
                throw new IllegalStateException(
                        "Pre-filling failed for "
                                + failed.size()
                                + " of "
                                + reply.getOutcomesCount()
                                + " keys, the first: "
                                + failed.get(0));
            }
        }
        window.clear();
    }

    /** The client stub; callers add their own deadline. */
    MessageServiceFutureStub stub() {
        return stub;
    }

    KeyTrimmer trimmer() {
        return trimmer;
    }

    MetricRegistry metrics() {
        return metrics;
    }

    /** Flushes the message table's memstores to store files (blocks until done). */
    void flush() throws Exception {
        mini.util().flush(layout.tableName());
    }

    /**
     * Brings the store to rest before a scenario, so each one measures its own load and not the
     * previous scenario's aftermath: waits for running trims, flushes the memstores, then waits
     * until the region server has no compaction running on the table (at most {@code
     * timeoutMillis}). Returns how long it took.
     */
    long settle(long timeoutMillis) throws Exception {
        long t0 = System.nanoTime();
        long deadline = System.currentTimeMillis() + timeoutMillis;
        awaitTrims(timeoutMillis);
        flush();
        var admin = mini.util().getAdmin();
        var table = layout.tableName();
        while (admin.getCompactionState(table)
                        != org.apache.hadoop.hbase.client.CompactionState.NONE
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** Waits until no trim is running (or the timeout passed); returns trims still running. */
    int awaitTrims(long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (trimmer.running() > 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        return trimmer.running();
    }

    /** Stops client channel, gRPC server, HBase client and mini cluster, in that order. */
    @Override
    public void close() {
        long t0 = System.nanoTime();
        if (channel != null) {
            step(
                    "gRPC channel",
                    () -> {
                        channel.shutdown();
                        if (!channel.awaitTermination(10, TimeUnit.SECONDS)) {
                            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                        }
                    });
        }
        if (server != null) {
            step("gRPC server", server::stop);
        }
        if (hbase != null) {
            step("HBase client", hbase::stop);
        }
        if (mini != null) {
            step("HBase mini cluster", mini::close);
        }
        LOG.info("Stopped everything in {} ms", (System.nanoTime() - t0) / 1_000_000);
    }

    /** One step of stopping something. */
    interface Step {
        void run() throws Exception;
    }

    /** Runs one step of a shutdown; a failure is logged and the shutdown goes on. */
    static void step(String what, Step step) {
        try {
            step.run();
        } catch (Exception e) {
            LOG.warn("Stopping {} failed", what, e);
        }
    }
}
