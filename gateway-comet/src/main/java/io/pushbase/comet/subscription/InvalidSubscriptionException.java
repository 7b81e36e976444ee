package io.pushbase.comet.subscription;

/**
 * A subscribe request with bad parameters (unknown command, missing or empty key, heartbeat
 * missing, not a number or below the minimum): the comet answers {@code -p\r\n} and closes. The
 * message says which, for the log only.
 */
public final class InvalidSubscriptionException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidSubscriptionException(String message) {
        super(message, null, false, false);
    }
}
