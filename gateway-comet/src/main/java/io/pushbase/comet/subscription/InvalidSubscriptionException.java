package io.pushbase.comet.subscription;

/**
 * A subscribe request with bad parameters (unknown command, a key the key rule refuses, heartbeat
 * missing, not a number or below the minimum): the comet answers {@code -p\r\n} and closes. The
 * message says which, for the log only; {@link #keyRule()} tells a refused key apart, for its own
 * counter. Immutable.
 */
public final class InvalidSubscriptionException extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean keyRule;

    public InvalidSubscriptionException(String message) {
        this(message, false);
    }

    private InvalidSubscriptionException(String message, boolean keyRule) {
        super(message, null, false, false);
        this.keyRule = keyRule;
    }

    /** A key that is absent or that {@code schema/client/Keys} refuses. */
    public static InvalidSubscriptionException badKey(String problem) {
        return new InvalidSubscriptionException(problem, true);
    }

    /** Whether the key was refused (absent, empty, too long or not UTF-8). */
    public boolean keyRule() {
        return keyRule;
    }
}
