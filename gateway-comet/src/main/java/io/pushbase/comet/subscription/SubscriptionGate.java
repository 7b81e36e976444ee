package io.pushbase.comet.subscription;

/**
 * Decides whether a well-formed subscription may go live on this comet, and if so registers its
 * subscriber so pushes reach it. The comet's gate is {@link CometGate} (token check, ring
 * ownership, per-key subscriber limit); the wire layer only needs this interface.
 *
 * <p><b>Threading:</b> called on the connection's event loop, once per connection, after the
 * parameters passed {@link SubscriptionParser}. It must not block (no I/O; anything it needs from
 * elsewhere it keeps in memory), and must be thread-safe, since every event loop calls it.
 *
 * <p><b>Ownership:</b> on {@link Admission#OK} the gate keeps the subscriber (typically in a
 * per-key registry) and must forget it when {@link Subscriber#closeFuture()} completes, which
 * happens however the connection ends (client gone, heartbeat timeout, slow consumer, {@link
 * Subscriber#close()}). On a refusal it must not keep it: the connection is answered and closed.
 *
 * <p><b>Failure:</b> an exception thrown here closes that one connection without a reply and is
 * logged; it never reaches other connections.
 */
@FunctionalInterface
public interface SubscriptionGate {

    /**
     * @param subscription the validated request
     * @param subscriber the live connection, ready to {@link Subscriber#deliver deliver} to
     * @return {@link Admission#OK} to subscribe, otherwise the refusal to answer with
     */
    Admission admit(Subscription subscription, Subscriber subscriber);
}
