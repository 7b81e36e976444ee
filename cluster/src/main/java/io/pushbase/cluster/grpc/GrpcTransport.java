package io.pushbase.cluster.grpc;

import io.grpc.ManagedChannelBuilder;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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
        return NettyChannelBuilder.forTarget(target).usePlaintext();
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
