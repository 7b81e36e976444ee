package io.pushbase.cluster.grpc;

import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * How a node process reaches gRPC servers and offers its own: over TCP (grpc-netty) always, and,
 * for a process that hosts several nodes ({@code pushbase standalone}), also in-process: a server
 * started through an {@link #inProcess() in-process} transport is registered under the very address
 * it advertises in discovery ({@code host:port}), and a channel to an address served in this JVM
 * takes grpc's in-process transport instead of a loopback socket (no HTTP/2 framing, no protobuf
 * encoding, no socket hop — the message objects are handed over). Peers are still found through
 * ZooKeeper and addressed by their advertised address, so nothing else changes: a peer in another
 * process is reached over TCP as before, and the TCP server keeps serving other processes.
 *
 * <p>Calls on the in-process server run on the calling thread ({@code directExecutor}, as on the
 * TCP servers): the services never block. Responses come back on the channel's executor (grpc's
 * default pool), exactly as over TCP, so callers' threading does not change.
 *
 * <p>Thread-safe. One instance is shared by every node of a process; {@link #network()} is the
 * instance of a process that hosts one node.
 */
public final class GrpcTransport {
    private static final GrpcTransport NETWORK = new GrpcTransport(false);

    /** Client keepalive: ping interval (grpc-java's minimum) and how long to wait for the ack. */
    static final long KEEPALIVE_SECONDS = 10;

    static final long KEEPALIVE_TIMEOUT_SECONDS = 2;

    private final boolean inProcess;
    private final Set<String> served = ConcurrentHashMap.newKeySet();

    private GrpcTransport(boolean inProcess) {
        this.inProcess = inProcess;
    }

    /** TCP only: what a process hosting one node uses. */
    public static GrpcTransport network() {
        return NETWORK;
    }

    /** TCP, plus in-process between the nodes of this process; share one instance among them. */
    public static GrpcTransport inProcess() {
        return new GrpcTransport(true);
    }

    /**
     * A builder for a plaintext channel to {@code target} ({@code host:port} as advertised): the
     * in-process transport when a node of this process serves that address, else TCP. Callers add
     * their own settings.
     */
    public ManagedChannelBuilder<?> channelTo(String target) {
        if (served.contains(target)) {
            return InProcessChannelBuilder.forName(target);
        }
        // Keepalive: a connection whose peer vanished without a reset (a machine gone, a
        // partition) is noticed and replaced within ~12 s even when no call is running, instead
        // of after the kernel's TCP timeouts. grpc-java sends pings at most every 10 s; faster
        // detection of a hung message node is MessageNodeProber's job.
        return NettyChannelBuilder.forTarget(target)
                .usePlaintext()
                .keepAliveTime(KEEPALIVE_SECONDS, TimeUnit.SECONDS)
                .keepAliveTimeout(KEEPALIVE_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .keepAliveWithoutCalls(true);
    }

    /**
     * A TCP gRPC server builder on {@code address} as every node runs one: services never block, so
     * calls run on the transport's threads ({@code directExecutor}: no hand-off per call), and the
     * clients' keepalive pings (every {@value #KEEPALIVE_SECONDS} s, also without calls) are
     * permitted (gRPC's default would answer them with {@code GOAWAY too_many_pings}).
     */
    public static NettyServerBuilder serverOn(InetSocketAddress address) {
        return NettyServerBuilder.forAddress(address)
                .directExecutor()
                .permitKeepAliveTime(KEEPALIVE_SECONDS / 2, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true);
    }

    /**
     * The servers of one node: {@code network} (already configured, services not yet added) plus,
     * when in-process, an in-process server named {@code advertised}; {@code services} are added to
     * each. The in-process name is announced to {@link #channelTo} only once it has started and
     * withdrawn before it stops, so a channel never picks an in-process server that is not there.
     *
     * @param advertised the {@code host:port} this node publishes in discovery
     */
    public GrpcServer server(
            ServerBuilder<?> network,
            String advertised,
            long drainMillis,
            List<ServerServiceDefinition> services) {
        List<Server> servers = new ArrayList<>();
        services.forEach(network::addService);
        servers.add(network.build());
        if (!inProcess) {
            return new GrpcServer(servers, drainMillis, () -> {}, () -> {});
        }
        InProcessServerBuilder local = InProcessServerBuilder.forName(advertised).directExecutor();
        services.forEach(local::addService);
        servers.add(local.build());
        return new GrpcServer(
                servers,
                drainMillis,
                () -> served.add(advertised),
                () -> served.remove(advertised));
    }
}
