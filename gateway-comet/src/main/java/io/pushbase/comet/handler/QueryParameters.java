package io.pushbase.comet.handler;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.pushbase.comet.subscription.InvalidSubscriptionException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The query parameters of a subscribe URL on the WebSocket listener ({@code /sub?...} and,
 * Pushbase, {@code /sse?...}), decoded so the key rule sees the exact bytes the %-escapes stand
 * for: every value is decoded as ISO-8859-1, which maps each byte to one char and back. Immutable.
 */
final class QueryParameters {
    private final String path;
    private final Map<String, List<String>> params;

    private QueryParameters(String path, Map<String, List<String>> params) {
        this.path = path;
        this.params = params;
    }

    /**
     * @throws InvalidSubscriptionException for a query string that does not decode (e.g. a broken
     *     %-escape): bad parameters like any other
     */
    static QueryParameters of(String uri) throws InvalidSubscriptionException {
        try {
            QueryStringDecoder decoder = new QueryStringDecoder(uri, StandardCharsets.ISO_8859_1);
            return new QueryParameters(decoder.path(), decoder.parameters());
        } catch (IllegalArgumentException e) {
            throw new InvalidSubscriptionException("query string: " + e.getMessage());
        }
    }

    /** The decoded path, without the query string. */
    String path() {
        return path;
    }

    /** The first value's bytes (as Go's {@code url.Values.Get}); null if absent. */
    byte[] bytes(String name) {
        return bytesOf(first(name));
    }

    /** The first value re-read as UTF-8 (invalid sequences become U+FFFD); null if absent. */
    String utf8(String name) {
        String latin1 = first(name);
        return latin1 == null ? null : new String(bytesOf(latin1), StandardCharsets.UTF_8);
    }

    /**
     * (Pushbase) Every value of a repeatable parameter ({@code room=a&room=b}), each re-read as
     * UTF-8; empty when absent.
     */
    List<String> allUtf8(String name) {
        List<String> values = params.get(name);
        if (values == null) {
            return List.of();
        }
        List<String> out = new java.util.ArrayList<>(values.size());
        for (String v : values) {
            out.add(new String(bytesOf(v), StandardCharsets.UTF_8));
        }
        return out;
    }

    private String first(String name) {
        List<String> values = params.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /**
     * The bytes of a value decoded as ISO-8859-1. A char above U+00FF cannot come from the
     * request's bytes, but would be refused as not UTF-8 rather than altered.
     */
    private static byte[] bytesOf(String latin1) {
        if (latin1 == null) {
            return null;
        }
        byte[] bytes = new byte[latin1.length()];
        for (int i = 0; i < bytes.length; i++) {
            char c = latin1.charAt(i);
            bytes[i] = (byte) (c <= 0xff ? c : 0xff);
        }
        return bytes;
    }
}
