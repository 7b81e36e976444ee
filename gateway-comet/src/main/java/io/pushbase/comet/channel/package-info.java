/**
 * The comet's live connections by key: {@link io.pushbase.comet.channel.KeyChannels} holds, per
 * key, at most {@code maxSubscribersPerKey} {@link io.pushbase.comet.subscription.Subscriber}s.
 */
package io.pushbase.comet.channel;
