package io.pushbase.store.app;

import com.codahale.metrics.health.HealthCheckRegistry;
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
import io.pushbase.cluster.grpc.GrpcTransport;
import io.pushbase.cluster.health.NodeHealth;
import io.pushbase.schema.ZkPaths;
import io.pushbase.store.MessageStore;
import io.pushbase.store.StoreLimits;
import io.pushbase.store.cursor.CursorStore;
import io.pushbase.store.grpc.MessageStoreService;
import io.pushbase.store.hbase.HBaseHealthCheck;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;

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

        MessageStoreStack stack = config.buildStore(env.metrics());
        env.lifecycle().manage(stack.hbase());
        MessageStore store = stack.store();
        StoreLimits limits = stack.limits();

        GrpcConfiguration grpc = config.getGrpc();
        String advertiseHost = grpc.resolveAdvertiseHost();
        String address = advertiseHost + ":" + grpc.getPort();
        String nodeName =
                config.getNodeName() == null || config.getNodeName().isBlank()
                        ? address
                        : config.getNodeName();
        ZkPaths paths = config.getZookeeper().paths();
        registerHealthChecks(
                env.healthChecks(),
                // the raw store: probes must not show up in client-facing metrics
                stack.hbaseStore(),
                stack.deadlineMillis(),
                curator.client(),
                paths);
        NodeHealth health = new NodeHealth(env.healthChecks());
        env.lifecycle().manage(health);
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
                                                new MessageStoreService(
                                                                store,
                                                                stack.rooms(),
                                                                stack.cursors(),
                                                                nodeName,
                                                                health)
                                                        .bindService())));

        env.lifecycle()
                .manage(
                        registration(
                                curator.client(),
                                paths,
                                advertiseHost,
                                grpc.getPort(),
                                nodeName,
                                grpc.getWeight()));
        PrometheusEndpoint.install(env, "message", nodeName);
    }

    /**
     * A message node's health checks, as its admin port's {@code /healthcheck} and its gRPC {@code
     * Health} report them: {@code hbase} (a real read of a probe key through {@code probeStore},
     * bounded by {@code deadlineMillis}) and {@code zookeeper} (the session and a read of the
     * root). Test clusters register the same on their message nodes.
     */
    public static void registerHealthChecks(
            HealthCheckRegistry registry,
            MessageStore probeStore,
            long deadlineMillis,
            CuratorFramework zk,
            ZkPaths paths) {
        registry.register("hbase", new HBaseHealthCheck(probeStore, deadlineMillis));
        registry.register("zookeeper", new ZooKeeperHealthCheck(zk, paths.root()));
    }

    /**
     * How a message node announces itself in discovery: under service {@link
     * ZkPaths#SERVICE_MESSAGE}, at {@code host:grpcPort}, which is also its {@code grpc} endpoint
     * in the node details. The node, the benchmarks and the other modules' test clusters register
     * their message nodes through here, so comets and web nodes find them all alike. Not started:
     * the caller owns it.
     */
    public static NodeRegistration registration(
            CuratorFramework zk,
            ZkPaths paths,
            String host,
            int grpcPort,
            String nodeName,
            int weight) {
        String address = host + ":" + grpcPort;
        return new NodeRegistration(
                zk,
                paths.discovery(),
                ZkPaths.SERVICE_MESSAGE,
                host,
                grpcPort,
                new NodeDetails(nodeName, weight, Map.of("grpc", address)));
    }

    /**
     * The message node's gRPC server as it runs in production, its {@code Health} answering no
     * check (the benchmark uses it).
     *
     * @see #grpcServerBuilder(InetSocketAddress, StoreLimits)
     */
    public static NettyServerBuilder grpcServerBuilder(
            InetSocketAddress address, MessageStore store, StoreLimits limits, String nodeName) {
        return grpcServerBuilder(address, limits)
                .addService(new MessageStoreService(store, nodeName));
    }

    /**
     * The message node's gRPC server as it runs in production, {@code Health} answered by {@code
     * health} (other modules' test clusters use it).
     */
    public static NettyServerBuilder grpcServerBuilder(
            InetSocketAddress address,
            MessageStore store,
            StoreLimits limits,
            String nodeName,
            NodeHealth health) {
        return grpcServerBuilder(address, limits)
                .addService(new MessageStoreService(store, nodeName, health));
    }

    /**
     * (Pushbase) The message node's gRPC server as it runs in production, with room logs in {@code
     * rooms} (a store of {@code LogSpace.ROOMS}), device cursors, and {@code Health} answered by
     * {@code health} (other modules' test clusters use it).
     */
    public static NettyServerBuilder grpcServerBuilder(
            InetSocketAddress address,
            MessageStore store,
            MessageStore rooms,
            CursorStore cursors,
            StoreLimits limits,
            String nodeName,
            NodeHealth health) {
        return grpcServerBuilder(address, limits)
                .addService(new MessageStoreService(store, rooms, cursors, nodeName, health));
    }

    /**
     * The message node's TCP gRPC server, services not yet added ({@link GrpcTransport#serverOn}:
     * the service never blocks, HBase calls being asynchronous).
     */
    static NettyServerBuilder grpcServerBuilder(InetSocketAddress address, StoreLimits limits) {
        return GrpcTransport.serverOn(address).maxInboundMessageSize(maxInboundBytes(limits));
    }

    /**
     * Largest request accepted: at least 4 MiB, more when {@code store.maxEntriesPerAppendMany} or
     * the payload limit is raised (that many longest keys, plus one largest payload). Not a size
     * every AppendMany fits: the most entries with the largest payloads would be far larger;
     * callers bound their batches by bytes ({@code AppendBatcher}: about 1 MiB).
     */
    static int maxInboundBytes(StoreLimits limits) {
        long bytes =
                (long) limits.maxEntriesPerAppendMany() * (StoreLimits.MAX_KEY_BYTES + 8)
                        + limits.maxPayloadBytes()
                        + 4096;
        return (int) Math.min(Integer.MAX_VALUE, Math.max(bytes, 4L * 1024 * 1024));
    }
}
