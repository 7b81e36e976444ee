package io.pushbase.store;

/**
 * The request breaks a {@link StoreLimits} rule; the message names the problem. Nothing was stored;
 * retrying the same request cannot succeed.
 */
public final class InvalidArgumentException extends StoreException {
    private static final long serialVersionUID = 1L;

    public InvalidArgumentException(String message) {
        super(message, null);
    }
}
