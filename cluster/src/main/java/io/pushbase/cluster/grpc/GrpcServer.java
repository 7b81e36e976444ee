package io.pushbase.cluster.grpc;

import io.dropwizard.lifecycle.Managed;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lifecycle of one node's gRPC server: its TCP server and, in a process hosting several nodes, the
 * in-process server of the same services ({@link GrpcTransport#server}). Takes configured builders
 * so tests can run the same services in-process. Stop lets running calls finish for up to {@code
 * drainMillis}, then cancels what is left.
 *
 * <p>Not thread-safe: its owner (the node's lifecycle) starts and stops it.
 */
public final class GrpcServer implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(GrpcServer.class);

    private final List<Server> servers;
    private final long drainMillis;
    private final Runnable afterStart;
    private final Runnable beforeStop;

    /** One server, built from {@code builder} (services added). */
    public GrpcServer(ServerBuilder<?> builder, long drainMillis) {
        this(List.of(builder.build()), drainMillis, () -> {}, () -> {});
    }

    GrpcServer(List<Server> servers, long drainMillis, Runnable afterStart, Runnable beforeStop) {
        this.servers = List.copyOf(servers);
        this.drainMillis = drainMillis;
        this.afterStart = afterStart;
        this.beforeStop = beforeStop;
    }

    @Override
    public void start() throws Exception {
        for (Server server : servers) {
            server.start();
        }
        afterStart.run();
        LOG.info("gRPC server listening on {}", servers.get(0).getListenSockets());
    }

    /** The bound port of the TCP server (useful with port 0); -1 for an in-process one. */
    public int port() {
        return servers.get(0).getPort();
    }

    @Override
    public void stop() throws InterruptedException {
        beforeStop.run();
        for (Server server : servers) {
            server.shutdown();
        }
        for (Server server : servers) {
            if (!server.awaitTermination(drainMillis, TimeUnit.MILLISECONDS)) {
                server.shutdownNow();
                server.awaitTermination(drainMillis, TimeUnit.MILLISECONDS);
            }
        }
    }
}
