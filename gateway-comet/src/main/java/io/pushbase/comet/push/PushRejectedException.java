package io.pushbase.comet.push;

/**
 * A push refused before anything was stored or delivered: a bound was hit (too many pushes queued
 * for the key or in the comet) or the comet does not own the key. The message names the reason; the
 * caller may retry later or elsewhere.
 */
public final class PushRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PushRejectedException(String message) {
        super(message, null, false, false);
    }
}
