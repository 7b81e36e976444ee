/**
 * What a subscribe request means and where the rest of the comet plugs in: a validated {@link
 * io.pushbase.comet.subscription.Subscription}, the {@link
 * io.pushbase.comet.subscription.SubscriptionGate} that admits or refuses it ({@link
 * io.pushbase.comet.subscription.CometGate}: auth, ring ownership, then the per-key limit of the
 * {@link io.pushbase.comet.subscription.SubscriberRegistry} it admits into), and the {@link
 * io.pushbase.comet.subscription.Subscriber} a live connection is to the push pipeline, with its
 * bounded outbound queue ({@link io.pushbase.comet.subscription.ChannelSubscriber}).
 *
 * <p>The same rules serve TCP and WebSocket: {@link
 * io.pushbase.comet.subscription.SubscriptionParser} turns the client's raw arguments into a
 * subscription or a {@code -p} refusal.
 */
package io.pushbase.comet.subscription;
