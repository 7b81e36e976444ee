/**
 * (Pushbase) Resume on subscribe: a subscription with {@code since} first receives every stored
 * message of its key with a larger mid, read in pages from the message nodes, then live ones, with
 * no gap and no duplicate at the seam (docs/PROTOCOL.md section 3, docs/REPLAY.md).
 *
 * <p>{@link io.pushbase.comet.replay.ResumingSubscriber} is the seam: the subscriber the key's
 * channel holds, keeping live messages back (bounded) until the replay ends. The replay itself
 * pages through a {@link io.pushbase.comet.replay.MessageHistory} (the message nodes' {@code
 * Fetch}), one page at a time and only when the client has read the previous one, taking one of the
 * comet's {@link io.pushbase.comet.replay.ReplaySlots} for each fetch. {@link
 * io.pushbase.comet.replay.Replayer} is the comet's entry point: it builds both and holds the
 * settings, the slots and the metrics. Depends on {@code subscription}; the handlers depend on it.
 */
package io.pushbase.comet.replay;
