package io.pushbase.schema.client;

/**
 * What every node accepts as a device id (Pushbase, acknowledgements: docs/PROTOCOL.md
 * "Acknowledgements"): 1 to {@value #MAX_LENGTH} characters of {@code A-Z a-z 0-9 . _ : -}. A
 * device id names one installation of a client of a key (a phone, a browser profile); the message
 * nodes keep one cursor per (key, device). The alphabet keeps an id one token on every transport (a
 * RESP bulk string, a WebSocket text frame, a URL query parameter without escapes) and one HBase
 * qualifier suffix. One rule, checked by the comet where an ack arrives, by the web node's routes
 * and by the message node. Stateless and thread-safe.
 */
public final class Devices {
    /** Longest device id, in characters (= bytes: the alphabet is ASCII). */
    public static final int MAX_LENGTH = 64;

    private Devices() {}

    /** Why {@code device} is not an acceptable device id, or null when it is. */
    public static String problem(String device) {
        if (device == null || device.isEmpty()) {
            return "device id must not be empty";
        }
        if (device.length() > MAX_LENGTH) {
            return "device id is " + device.length() + " characters, at most " + MAX_LENGTH;
        }
        for (int i = 0; i < device.length(); i++) {
            char c = device.charAt(i);
            boolean ok =
                    c >= 'a' && c <= 'z'
                            || c >= 'A' && c <= 'Z'
                            || c >= '0' && c <= '9'
                            || c == '.'
                            || c == '_'
                            || c == ':'
                            || c == '-';
            if (!ok) {
                return String.format(
                        "device id has character U+%04X at %d; allowed: A-Z a-z 0-9 . _ : -",
                        (int) c, i);
            }
        }
        return null;
    }
}
