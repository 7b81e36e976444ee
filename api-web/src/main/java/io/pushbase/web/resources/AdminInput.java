package io.pushbase.web.resources;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.pushbase.schema.client.Keys;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
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

    /**
     * Why {@code key}, a query parameter of an admin route that reads a key, is not one: {@code key
     * is required} when absent or empty, else the shared key rule's problem ({@link Keys}); null
     * when it is fine.
     */
    static String keyProblem(String key) {
        return key == null || key.isEmpty() ? "key is required" : Keys.problem(key);
    }

    /**
     * (Pushbase) A mid given to an admin route: decimal digits only, at most 19, an int64 above 0;
     * -1 when it is not.
     */
    static long positiveMid(String value) {
        if (value == null || value.isEmpty() || value.length() > 19) {
            return -1;
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return -1;
            }
        }
        try {
            long mid = Long.parseLong(value);
            return mid > 0 ? mid : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

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

    /**
     * The body parsed as one JSON value in UTF-8 without a byte-order mark, or null when it is not
     * exactly that. Parsed from the strictly decoded text, never from the bytes: Jackson would
     * detect UTF-16 or UTF-32 and skip a BOM, and the bytes, passed on verbatim, would then put
     * something other than UTF-8 JSON into every later answer and frame of the key.
     */
    static JsonNode json(byte[] body) {
        return body.length == 0 || encodingProblem(body) != null ? null : parseUtf8(body);
    }

    /** {@code utf8}, already checked to be UTF-8 without a BOM, as one JSON value, or null. */
    private static JsonNode parseUtf8(byte[] utf8) {
        try {
            return JSON.readValue(new String(utf8, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Why {@code message} is not a pushable message (non-empty, at most {@code maxBytes}, UTF-8
     * without a byte-order mark, one JSON value), or null.
     */
    static String messageProblem(byte[] message, int maxBytes) {
        if (message.length == 0) {
            return "the message (body) must not be empty";
        }
        if (message.length > maxBytes) {
            return "the message is " + message.length + " bytes, at most " + maxBytes + " allowed";
        }
        String encoding = encodingProblem(message);
        if (encoding != null) {
            return encoding;
        }
        if (parseUtf8(message) == null) {
            return "the message must be one valid JSON value";
        }
        return null;
    }

    /** Why {@code bytes} are not UTF-8 text without a byte-order mark, or null. */
    static String encodingProblem(byte[] bytes) {
        if (bytes.length >= 3
                && bytes[0] == (byte) 0xef
                && bytes[1] == (byte) 0xbb
                && bytes[2] == (byte) 0xbf) {
            return "the message must be UTF-8 JSON without a byte-order mark";
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CoderResult result =
                StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(in, CharBuffer.allocate(bytes.length), true);
        if (result.isError()) {
            return "the message must be UTF-8 (byte "
                    + in.position()
                    + " is not; UTF-16 and UTF-32 are refused)";
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
