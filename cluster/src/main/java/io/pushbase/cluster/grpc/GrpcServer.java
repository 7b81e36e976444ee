package io.pushbase.cluster.grpc;

import io.dropwizard.lifecycle.Managed;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lifecycle of one gRPC server. Takes a configured {@link ServerBuilder} so tests can run the same
 * services in-process. Stop lets running calls finish for up to {@code drainMillis}, then cancels
 * what is left.
 */
public final class GrpcServer implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(GrpcServer.class);

    private final Server server;
    private final long drainMillis;

    public GrpcServer(ServerBuilder<?> builder, long drainMillis) {
        this.server = builder.build();
        this.drainMillis = drainMillis;
    }

    @Override
    public void start() throws Exception {
        server.start();
        LOG.info("gRPC server listening on {}", server.getListenSockets());
    }

    /** The bound port (useful with port 0); -1 for in-process servers. */
    public int port() {
        return server.getPort();
    }

    @Override
    public void stop() throws InterruptedException {
        server.shutdown();
        if (!server.awaitTermination(drainMillis, TimeUnit.MILLISECONDS)) {
            server.shutdownNow();
            server.awaitTermination(drainMillis, TimeUnit.MILLISECONDS);
        }
    }
}
