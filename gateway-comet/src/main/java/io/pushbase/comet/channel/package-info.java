/**
 * The comet's live connections by key: {@link io.pushbase.comet.channel.KeyChannels} holds, per
 * key, at most {@code maxSubscribersPerKey} {@link io.pushbase.comet.subscription.Subscriber}s. It
 * is the {@link io.pushbase.comet.subscription.SubscriberRegistry} the subscription gate admits
 * into; this package depends on {@code subscription}, never the reverse.
 */
package io.pushbase.comet.channel;
