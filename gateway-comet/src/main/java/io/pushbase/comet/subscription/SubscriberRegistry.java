package io.pushbase.comet.subscription;

/**
 * Where {@link CometGate} puts the subscribers it admits: the comet's per-key registry ({@code
 * KeyChannels}, in package {@code channel}), which pushes read. An interface here so that the
 * registry depends on this package and not the other way round.
 *
 * <p>Implementations are thread-safe and never block: every event loop calls {@link #add}. A
 * subscriber added leaves by itself when its {@link Subscriber#closeFuture()} completes.
 */
@FunctionalInterface
public interface SubscriberRegistry {

    /**
     * Adds {@code subscriber} to its key's channel unless the channel is full.
     *
     * @return false when the key already has its most live subscribers (a {@code -c} refusal)
     */
    boolean add(Subscriber subscriber);
}
