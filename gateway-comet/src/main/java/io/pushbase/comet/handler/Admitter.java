package io.pushbase.comet.handler;

import io.netty.channel.Channel;
import io.pushbase.comet.codec.Reply;
import io.pushbase.comet.subscription.Admission;
import io.pushbase.comet.subscription.ChannelSubscriber;
import io.pushbase.comet.subscription.Subscription;
import io.pushbase.comet.subscription.SubscriptionGate;
import java.util.Objects;
import java.util.Optional;

/**
 * The step TCP and WebSocket share once a subscription parsed: wrap the connection in a bounded
 * {@link ChannelSubscriber}, ask the {@link SubscriptionGate}, and map a refusal to its reply
 * ({@code -a}, {@code -c}, {@code -n}). Stateless apart from its collaborators; used on event
 * loops, must not block (neither must the gate).
 */
final class Admitter {
    private final SubscriptionGate gate;
    private final ConnectionSettings settings;
    private final ConnectionMetrics metrics;

    Admitter(SubscriptionGate gate, ConnectionSettings settings, ConnectionMetrics metrics) {
        this.gate = Objects.requireNonNull(gate, "gate");
        this.settings = settings;
        this.metrics = metrics;
    }

    /**
     * @return empty when admitted, else the reply that refuses the connection
     */
    Optional<Reply> admit(Channel channel, Subscription subscription) {
        ChannelSubscriber subscriber =
                new ChannelSubscriber(
                        channel,
                        subscription,
                        settings.maxPendingMessages(),
                        metrics.slowConsumers());
        Admission admission =
                Objects.requireNonNull(gate.admit(subscription, subscriber), "gate's admission");
        return Optional.ofNullable(replyFor(admission));
    }

    /** The error reply for each refusing admission; null for OK. */
    static Reply replyFor(Admission admission) {
        return switch (admission) {
            case OK -> null;
            case REJECT_AUTH -> Reply.AUTH;
            case REJECT_CHANNEL -> Reply.CHANNEL;
            case REJECT_NOT_OWNER -> Reply.NODE;
        };
    }
}
