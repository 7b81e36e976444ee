package io.pushbase.cluster.message;

/**
 * {@link AppendBatcher} already holds its maximum of appends waiting for message nodes: the append
 * was not sent and nothing was stored. The caller should shed load (a comet answers the push with
 * {@code RESOURCE_EXHAUSTED}); retrying at once would only add to the queue.
 */
public final class AppendQueueFullException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public AppendQueueFullException(String message) {
        super(message);
    }
}
