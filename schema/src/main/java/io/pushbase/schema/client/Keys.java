package io.pushbase.schema.client;

import java.nio.charset.StandardCharsets;

/**
 * What every node accepts as a key (a subscription key, the name of an offline mailbox): not empty,
 * at most {@value #MAX_BYTES} bytes in UTF-8. One rule, checked where a key enters the system (web
 * routes, comet pushes, message-node requests), so no node stores or routes a key another would
 * refuse. Stateless.
 */
public final class Keys {
    /** Longest key in UTF-8 bytes. */
    public static final int MAX_BYTES = 256;

    private Keys() {}

    /** Why {@code key} is not acceptable, or null when it is. */
    public static String problem(String key) {
        if (key == null || key.isEmpty()) {
            return "key must not be empty";
        }
        // A UTF-8 encoding is at most 3 bytes per char: short keys need no encoding to check.
        if (key.length() * 3 > MAX_BYTES) {
            int bytes = key.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > MAX_BYTES) {
                return "key is " + bytes + " bytes, at most " + MAX_BYTES + " allowed";
            }
        }
        return null;
    }
}
