package io.pushbase.web.server;

import java.nio.channels.SelectableChannel;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.NetworkConnectionLimit;

/**
 * Jetty's {@link NetworkConnectionLimit} on one connector, counted: each time the cap is reached
 * (the connector stops accepting and its connections' idle timeout drops) and each connection
 * closed at accept for being over it. Thread-safe as its superclass (its own lock around the
 * counts; the meters are thread-safe); a bean of its connector, which starts and stops it.
 */
final class CountingConnectionLimit extends NetworkConnectionLimit {
    private final ListenerMetrics metrics;

    CountingConnectionLimit(int maxConnections, ListenerMetrics metrics, Connector connector) {
        super(maxConnections, connector);
        this.metrics = metrics;
    }

    @Override
    protected void limit() {
        metrics.limitReached().mark();
        super.limit();
    }

    @Override
    public void onAccepting(SelectableChannel channel) {
        super.onAccepting(channel);
        // The superclass closes a channel accepted past the cap (a race with other acceptors).
        if (!channel.isOpen()) {
            metrics.refused().mark();
        }
    }
}
