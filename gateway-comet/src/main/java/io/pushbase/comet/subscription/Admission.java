package io.pushbase.comet.subscription;

/**
 * A {@link SubscriptionGate}'s answer to a subscribe request. Every refusal is answered with its
 * error reply and the connection is closed (docs/PROTOCOL.md section 3).
 */
public enum Admission {
    /** Subscribed: the comet replies {@code +h\r\n} and starts expecting heartbeats. */
    OK,
    /** The token was rejected: {@code -a\r\n}. */
    REJECT_AUTH,
    /**
     * The channel refused the connection (e.g. the key has its most subscribers): {@code -c\r\n}.
     */
    REJECT_CHANNEL,
    /** The key belongs to another comet: {@code -n\r\n}. */
    REJECT_NOT_OWNER
}
