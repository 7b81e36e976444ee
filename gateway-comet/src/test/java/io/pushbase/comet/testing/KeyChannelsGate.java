package io.pushbase.comet.testing;

import io.pushbase.comet.channel.KeyChannels;
import io.pushbase.comet.subscription.Admission;
import io.pushbase.comet.subscription.Subscriber;
import io.pushbase.comet.subscription.Subscription;
import io.pushbase.comet.subscription.SubscriptionGate;

/**
 * A {@link SubscriptionGate} with no auth and no ring: admits every subscription into a real {@link
 * KeyChannels}, refusing with {@code -c} when the key is full, as the comet's gate will.
 */
public final class KeyChannelsGate implements SubscriptionGate {
    private final KeyChannels channels;

    public KeyChannelsGate(KeyChannels channels) {
        this.channels = channels;
    }

    @Override
    public Admission admit(Subscription subscription, Subscriber subscriber) {
        return channels.add(subscriber) ? Admission.OK : Admission.REJECT_CHANNEL;
    }
}
