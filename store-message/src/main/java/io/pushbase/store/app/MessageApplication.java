package io.pushbase.store.app;

import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.pushbase.cluster.CuratorLifecycle;
import io.pushbase.cluster.NodeDetails;
import io.pushbase.cluster.NodeRegistration;
import io.pushbase.cluster.ZooKeeperHealthCheck;
import io.pushbase.cluster.app.NodeHost;
import io.pushbase.cluster.app.PrometheusEndpoint;
import io.pushbase.cluster.grpc.GrpcConfiguration;
import io.pushbase.schema.ZkPaths;
import io.pushbase.schema.hbase.RowKeys;
import io.pushbase.store.InstrumentedMessageStore;
import io.pushbase.store.MessageStore;
import io.pushbase.store.StoreLimits;
import io.pushbase.store.grpc.MessageStoreService;
import io.pushbase.store.hbase.HBaseClient;
import io.pushbase.store.hbase.HBaseHealthCheck;
import io.pushbase.store.hbase.HBaseMessageStore;
import io.pushbase.store.hbase.HBaseStoreConfiguration;
import io.pushbase.store.hbase.KeyTrimmer;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;

/**
 * The message node: a stateless gRPC {@code MessageService} in front of HBase, registered in
 * ZooKeeper. Wires and does nothing else. Run: {@code MessageApplication server message.yml}.
 *
 * <p>Start order (stop is the reverse): ZooKeeper session, HBase connection and table check, gRPC
 * server, registration in discovery - so peers only ever see a node that answers, and a stopping
 * node leaves discovery before it stops answering.
 */
public final class MessageApplication extends Application<MessageConfiguration> {
    private final NodeHost host;

    /** The node in a process of its own. */
    public MessageApplication() {
        this(NodeHost.alone());
    }

    /** The node in a process that hosts it with others ({@code standalone}). */
    public MessageApplication(NodeHost host) {
        this.host = host;
    }

    public static void main(String[] args) throws Exception {
        new MessageApplication().run(args);
    }

    @Override
    public String getName() {
        return "pushbase-message";
    }

    @Override
    public void initialize(Bootstrap<MessageConfiguration> bootstrap) {
        host.initialize(bootstrap);
    }

    @Override
    public void run(MessageConfiguration config, Environment env) {
        host.attach(env);
        CuratorLifecycle curator = config.getZookeeper().build();
        env.lifecycle().manage(curator);

        HBaseStoreConfiguration hbaseConfig = config.getHbase();
        HBaseClient hbase = hbaseConfig.build();
        env.lifecycle().manage(hbase);

        StoreLimits limits = config.getStore().limits(hbaseConfig.getRetention().toSeconds());
        KeyTrimmer trimmer =
                new KeyTrimmer(
                        hbase::table,
                        RowKeys.standard(),
                        limits.maxStoredPerKey(),
                        config.getStore().getTrimEvery(),
                        config.getStore().getTrimMaxInFlight(),
                        config.getStore().getTrimTrackedKeys(),
                        env.metrics());
        MessageStore hbaseStore =
                new HBaseMessageStore(
                        hbase::table,
                        limits,
                        RowKeys.standard(),
                        trimmer,
                        hbaseConfig.deadlineMillis());
        MessageStore store = new InstrumentedMessageStore(hbaseStore, env.metrics());

        GrpcConfiguration grpc = config.getGrpc();
        String advertiseHost = grpc.resolveAdvertiseHost();
        String address = advertiseHost + ":" + grpc.getPort();
        String nodeName =
                config.getNodeName() == null || config.getNodeName().isBlank()
                        ? address
                        : config.getNodeName();
        env.lifecycle()
                .manage(
                        host.transport()
                                .server(
                                        grpcServerBuilder(
                                                new InetSocketAddress(
                                                        grpc.getBindHost(), grpc.getPort()),
                                                limits),
                                        address,
                                        grpc.getDrainTimeout().toMilliseconds(),
                                        List.of(
                                                new MessageStoreService(store, nodeName)
                                                        .bindService())));

        ZkPaths paths = config.getZookeeper().paths();
        env.lifecycle()
                .manage(
                        new NodeRegistration(
                                curator.client(),
                                paths.discovery(),
                                ZkPaths.SERVICE_MESSAGE,
                                advertiseHost,
                                grpc.getPort(),
                                new NodeDetails(
                                        nodeName, grpc.getWeight(), Map.of("grpc", address))));

        env.healthChecks()
                .register(
                        "hbase",
                        // the raw store: probes must not show up in client-facing metrics
                        new HBaseHealthCheck(hbaseStore, hbaseConfig.deadlineMillis()));
        env.healthChecks()
                .register("zookeeper", new ZooKeeperHealthCheck(curator.client(), paths.root()));
        PrometheusEndpoint.install(env, "message", nodeName);
    }

    /**
     * The message node's gRPC server as it runs in production (the benchmark uses it too).
     *
     * @see #grpcServerBuilder(InetSocketAddress, StoreLimits)
     */
    public static NettyServerBuilder grpcServerBuilder(
            InetSocketAddress address, MessageStore store, StoreLimits limits, String nodeName) {
        return grpcServerBuilder(address, limits)
                .addService(new MessageStoreService(store, nodeName));
    }

    /**
     * The message node's TCP gRPC server, services not yet added. The service never blocks (HBase
     * calls are asynchronous), so calls run on the transport's threads ({@code directExecutor}): no
     * hand-off to a pool per call.
     */
    static NettyServerBuilder grpcServerBuilder(InetSocketAddress address, StoreLimits limits) {
        return NettyServerBuilder.forAddress(address)
                .directExecutor()
                .maxInboundMessageSize(maxInboundBytes(limits));
    }

    /** Largest request: a SaveMany with every key at its longest, plus the payload. */
    static int maxInboundBytes(StoreLimits limits) {
        long bytes =
                (long) limits.maxKeysPerSaveMany() * (StoreLimits.MAX_KEY_BYTES + 8)
                        + limits.maxPayloadBytes()
                        + 4096;
        return (int) Math.min(Integer.MAX_VALUE, Math.max(bytes, 4L * 1024 * 1024));
    }
}
