package io.pushbase.web.comet;

import io.dropwizard.lifecycle.Managed;
import io.grpc.ManagedChannel;
import io.pushbase.cluster.grpc.GrpcTransport;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One gRPC channel per comet address ({@code host:port} of its {@code CometService}), opened on
 * first use and closed when the comet leaves discovery ({@link #retain}) or on {@link #stop()}.
 *
 * <p>Thread-safe. Ownership: owns every channel it opened. Failure: a channel to a dead comet is
 * not an error here; calls on it fail with {@code UNAVAILABLE} and the caller decides.
 */
public final class CometChannels implements Managed {
    private static final Logger LOG = LoggerFactory.getLogger(CometChannels.class);

    private final GrpcTransport transport;
    private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
    private volatile boolean stopped;

    /**
     * @param transport how a channel to an address is opened (in-process to a comet of this JVM)
     */
    public CometChannels(GrpcTransport transport) {
        this.transport = transport;
    }

    /** The channel to {@code address}, opened if needed. */
    public ManagedChannel channel(String address) {
        if (stopped) {
            throw new IllegalStateException("comet channels are stopped");
        }
        return channels.computeIfAbsent(address, a -> transport.channelTo(a).build());
    }

    /** Closes the channels of every address not in {@code live}. */
    public void retain(Set<String> live) {
        channels.entrySet()
                .removeIf(
                        e -> {
                            if (live.contains(e.getKey())) {
                                return false;
                            }
                            LOG.info("Comet {} left discovery: closing its channel", e.getKey());
                            e.getValue().shutdown();
                            return true;
                        });
    }

    @Override
    public void start() {}

    @Override
    public void stop() throws InterruptedException {
        stopped = true;
        for (ManagedChannel channel : channels.values()) {
            channel.shutdownNow();
        }
        for (ManagedChannel channel : channels.values()) {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        }
        channels.clear();
    }
}
