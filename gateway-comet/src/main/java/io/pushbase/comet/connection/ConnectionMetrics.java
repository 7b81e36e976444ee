package io.pushbase.comet.connection;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import io.pushbase.comet.codec.Reply;

/**
 * The counters of one transport's connections (prefix e.g. {@code comet.tcp} or {@code comet.ws}):
 * every bound that was hit and every refusal, so ops sees why connections end (docs/DESIGN.md
 * invariant 5).
 *
 * <ul>
 *   <li>{@code <prefix>.subscribed} — subscriptions admitted;
 *   <li>{@code <prefix>.rejected.param|auth|channel|node} — refusals by reply;
 *   <li>{@code <prefix>.rejected.key} — the part of {@code rejected.param} whose key the key rule
 *       refused (absent, empty, over 256 bytes, not UTF-8);
 *   <li>{@code <prefix>.rejected.since} — the part of {@code rejected.param} whose resume mid
 *       ({@code since}, Pushbase) was malformed, negative, too long or in the future;
 *   <li>{@code <prefix>.rejected.device} — the part of {@code rejected.param} whose {@code
 *       since=@<device>} (Pushbase, issue 15) named a device id the device rule refuses;
 *   <li>{@code <prefix>.closed.badInput} — closed without reply for breaking the framing;
 *   <li>{@code <prefix>.closed.firstRequestTimeout}, {@code <prefix>.closed.heartbeatTimeout};
 *   <li>{@code <prefix>.closed.slowConsumer} — closed for not reading what was written to it.
 * </ul>
 *
 * Thread-safe (Dropwizard counters).
 */
public final class ConnectionMetrics {
    private final Counter subscribed;
    private final Counter rejectedParam;
    private final Counter rejectedAuth;
    private final Counter rejectedChannel;
    private final Counter rejectedNode;
    private final Counter rejectedKey;
    private final Counter rejectedSince;
    private final Counter rejectedDevice;
    private final Counter badInput;
    private final Counter firstRequestTimeouts;
    private final Counter heartbeatTimeouts;
    private final Counter slowConsumers;

    public ConnectionMetrics(MetricRegistry registry, String prefix) {
        this.subscribed = registry.counter(prefix + ".subscribed");
        this.rejectedParam = registry.counter(prefix + ".rejected.param");
        this.rejectedAuth = registry.counter(prefix + ".rejected.auth");
        this.rejectedChannel = registry.counter(prefix + ".rejected.channel");
        this.rejectedNode = registry.counter(prefix + ".rejected.node");
        this.rejectedKey = registry.counter(prefix + ".rejected.key");
        this.rejectedSince = registry.counter(prefix + ".rejected.since");
        this.rejectedDevice = registry.counter(prefix + ".rejected.device");
        this.badInput = registry.counter(prefix + ".closed.badInput");
        this.firstRequestTimeouts = registry.counter(prefix + ".closed.firstRequestTimeout");
        this.heartbeatTimeouts = registry.counter(prefix + ".closed.heartbeatTimeout");
        this.slowConsumers = registry.counter(prefix + ".closed.slowConsumer");
    }

    public Counter subscribed() {
        return subscribed;
    }

    public Counter rejectedParam() {
        return rejectedParam;
    }

    public Counter rejectedAuth() {
        return rejectedAuth;
    }

    public Counter rejectedChannel() {
        return rejectedChannel;
    }

    public Counter rejectedNode() {
        return rejectedNode;
    }

    /** Subscribes refused ({@code -p}) for their key; each is in {@link #rejectedParam} too. */
    public Counter rejectedKey() {
        return rejectedKey;
    }

    /**
     * Subscribes refused ({@code -p}) for their {@code since}; each is in {@link #rejectedParam}.
     */
    public Counter rejectedSince() {
        return rejectedSince;
    }

    /**
     * (Pushbase) Subscribes refused ({@code -p}) for the device of their {@code since=@<device>};
     * each is in {@link #rejectedParam}.
     */
    public Counter rejectedDevice() {
        return rejectedDevice;
    }

    /** The refusal counter for an error reply. */
    public Counter rejected(Reply reply) {
        return switch (reply) {
            case PARAM -> rejectedParam;
            case AUTH -> rejectedAuth;
            case CHANNEL -> rejectedChannel;
            case NODE -> rejectedNode;
            case HEARTBEAT, RESUME_COMPLETE, RESUME_TRUNCATED ->
                    throw new IllegalArgumentException("not a refusal: " + reply);
        };
    }

    public Counter badInput() {
        return badInput;
    }

    public Counter firstRequestTimeouts() {
        return firstRequestTimeouts;
    }

    public Counter heartbeatTimeouts() {
        return heartbeatTimeouts;
    }

    public Counter slowConsumers() {
        return slowConsumers;
    }
}
