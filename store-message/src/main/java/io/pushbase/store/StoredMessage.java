package io.pushbase.store;

import java.util.Arrays;

/**
 * One stored message: its exact id, its payload bytes as they were pushed, and when it expires
 * (epoch milliseconds, 0 when the store does not know: rows written before it recorded expiry).
 * Equality is the mid and payload only: the expiry says when the store drops the message, not what
 * the message is.
 *
 * <p>The payload array is owned by this value once constructed; callers must not modify it.
 */
public record StoredMessage(long mid, byte[] payload, long expiresAtMillis) {

    /** A message whose expiry is not known. */
    public StoredMessage(long mid, byte[] payload) {
        this(mid, payload, 0);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredMessage m && m.mid == mid && Arrays.equals(m.payload, payload);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(mid) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "StoredMessage{mid=" + mid + ", " + payload.length + " bytes}";
    }
}
