package io.pushbase.cluster.message;

import com.codahale.metrics.health.HealthCheck;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Healthy when a message node answers a ping now, through the same client (and node choice) every
 * store call uses; unhealthy when none is registered or none answers within the client's bounds.
 * Nodes that need the store (comets, web nodes) are of little use without one.
 */
public final class MessageNodesHealthCheck extends HealthCheck {
    private final MessageNodeClient client;

    public MessageNodesHealthCheck(MessageNodeClient client) {
        this.client = client;
    }

    @Override
    protected Result check() throws Exception {
        List<String> live = client.liveNodeIds();
        if (live.isEmpty()) {
            return Result.unhealthy("no message node registered");
        }
        try {
            String answered = client.ping().get(30, TimeUnit.SECONDS);
            return Result.healthy("%s answered; registered %s", answered, live);
        } catch (java.util.concurrent.ExecutionException e) {
            return Result.unhealthy(
                    "no message node answered (registered %s): %s", live, e.getCause());
        }
    }
}
