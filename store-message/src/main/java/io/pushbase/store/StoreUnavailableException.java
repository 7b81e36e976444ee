package io.pushbase.store;

/**
 * The backing store did not answer in time or refused the operation. The operation may or may not
 * have taken effect; every store operation is idempotent, so the caller may retry (on this node or
 * another).
 */
public final class StoreUnavailableException extends StoreException {
    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
