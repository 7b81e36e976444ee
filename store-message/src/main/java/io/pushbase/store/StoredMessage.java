package io.pushbase.store;

import java.util.Arrays;

/**
 * One stored message: its exact id and its payload bytes as they were pushed.
 *
 * <p>The payload array is owned by this value once constructed; callers must not modify it.
 */
public record StoredMessage(long mid, byte[] payload) {

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
