package io.pushbase.web.resources;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Parsing and checking of the admin API's input, with gopush-cluster's rules where it had them:
 * {@code expire} as Go's {@code ParseUint(s, 10, 32)} (decimal digits only, at most 4294967295);
 * bodies read up to a bound; messages that must be one complete JSON value. Each check answers the
 * problem in words, or null when the input is fine. Stateless and thread-safe.
 */
final class AdminInput {
    /** The largest {@code expire} gopush-cluster accepted (a uint32). */
    static final long MAX_EXPIRE = 0xffff_ffffL;

    private static final ObjectReader JSON =
            new ObjectMapper()
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .readerFor(JsonNode.class);

    private AdminInput() {}

    /** {@code expire} in seconds, or -1 when it is not a uint32 in decimal. */
    static long expire(String value) {
        if (value == null || value.isEmpty() || value.length() > 10) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n <= MAX_EXPIRE ? n : -1;
    }

    static String expireProblem(String value) {
        return "expire must be whole seconds from 0 to " + MAX_EXPIRE + ", got '" + value + "'";
    }

    /**
     * The body, or null when it is longer than {@code max} bytes (reading stops after {@code max +
     * 1}).
     */
    static byte[] body(InputStream in, int max) throws IOException {
        if (in == null) {
            return new byte[0];
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(max, 8192));
        byte[] chunk = new byte[8192];
        int total = 0;
        int n;
        while ((n = in.read(chunk, 0, Math.min(chunk.length, max + 1 - total))) > 0) {
            out.write(chunk, 0, n);
            total += n;
            if (total > max) {
                return null;
            }
        }
        return out.toByteArray();
    }

    /** The body parsed as one JSON value, or null when it is not exactly that. */
    static JsonNode json(byte[] body) {
        if (body.length == 0) {
            return null;
        }
        try {
            return JSON.readValue(body);
        } catch (IOException e) {
            return null;
        }
    }

    /** Why {@code message} is not a pushable message (non-empty, one JSON value), or null. */
    static String messageProblem(byte[] message, int maxBytes) {
        if (message.length == 0) {
            return "the message (body) must not be empty";
        }
        if (message.length > maxBytes) {
            return "the message is " + message.length + " bytes, at most " + maxBytes + " allowed";
        }
        if (json(message) == null) {
            return "the message must be one valid JSON value";
        }
        return null;
    }

    /**
     * The value of {@code name} in a form-encoded body ({@code key=...&...}), or null when absent
     * or the body is not form-encoded text.
     */
    static String formValue(byte[] body, String name) {
        String text = new String(body, StandardCharsets.UTF_8);
        for (String pair : text.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            try {
                if (URLDecoder.decode(k, StandardCharsets.UTF_8).equals(name)) {
                    return eq < 0
                            ? ""
                            : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                }
            } catch (IllegalArgumentException e) {
                return null; // a broken %-escape
            }
        }
        return null;
    }
}
