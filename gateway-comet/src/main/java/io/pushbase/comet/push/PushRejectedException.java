package io.pushbase.comet.push;

/**
 * A push refused before anything was stored or delivered; {@link #reason()} says why and the
 * message names the detail. Retrying the same push can only help for {@link Reason#NOT_OWNER}
 * (elsewhere) and {@link Reason#OVERLOADED} (later).
 */
public final class PushRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why a push was refused. */
    public enum Reason {
        /** Bad input: empty or too long key, empty or oversized payload, negative expire. */
        INVALID,
        /** This comet does not own the key now (ring, standby, ZooKeeper session). */
        NOT_OWNER,
        /** A bound was hit: pushes queued for the key or in flight in the comet. */
        OVERLOADED,
        /**
         * The caller gave up (its deadline passed, it cancelled) before the push's turn came: not
         * appended, since the caller may store the push itself meanwhile (docs/MIDS.md, "Retries
         * without duplicates").
         */
        ABANDONED
    }

    private final Reason reason;

    public PushRejectedException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
