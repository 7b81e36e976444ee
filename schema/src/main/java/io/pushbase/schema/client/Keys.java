package io.pushbase.schema.client;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/**
 * What every node accepts as a key (a subscription key, the name of an offline mailbox): not empty,
 * at most {@value #MAX_BYTES} bytes of well-formed UTF-8. One rule, checked where a key enters the
 * system (web routes, comet subscribes and pushes, message-node requests), so no node stores,
 * routes or subscribes a key another would refuse. Where a key arrives as bytes (a comet's TCP
 * {@code sub} argument, a WebSocket query parameter) {@link #problem(byte[])} checks them before
 * they are decoded, since decoding would hide invalid UTF-8 behind U+FFFD. Stateless and
 * thread-safe.
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
                return tooLong(bytes);
            }
        }
        return null;
    }

    /**
     * Why a key received as the bytes {@code utf8} is not acceptable, or null when it is: the rule
     * of {@link #problem(String)} on the bytes themselves, plus that they are well-formed UTF-8 (no
     * stray continuation byte, overlong form, surrogate or truncated sequence). A key accepted here
     * is exactly {@code new String(utf8, UTF_8)}, which {@link #problem(String)} accepts too.
     *
     * @param utf8 the key's bytes; null when the key is absent
     */
    public static String problem(byte[] utf8) {
        if (utf8 == null || utf8.length == 0) {
            return "key must not be empty";
        }
        if (utf8.length > MAX_BYTES) {
            return tooLong(utf8.length);
        }
        try {
            // A fresh decoder reports malformed input rather than replacing it.
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(utf8));
        } catch (CharacterCodingException e) {
            return "key is not valid UTF-8";
        }
        return null;
    }

    private static String tooLong(int bytes) {
        return "key is " + bytes + " bytes, at most " + MAX_BYTES + " allowed";
    }
}
