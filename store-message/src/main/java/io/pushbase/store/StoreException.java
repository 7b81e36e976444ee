package io.pushbase.store;

/** Base of the store's failures; see the subclasses for what the caller should do. */
public abstract class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
