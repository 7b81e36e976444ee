package io.pushbase.web.resources;

/**
 * (Pushbase) The idempotency key of an admin push: the {@value #HEADER} header of the IETF HTTP API
 * draft ({@code draft-ietf-httpapi-idempotency-key-header}: a structured-field string, {@code
 * "..."}; a bare value is accepted too, as most APIs send it) or, for clients that cannot set
 * headers, the query parameter {@value #PARAMETER}. Either holds 1 to {@value #MAX_LENGTH}
 * printable ASCII characters (0x20-0x7E; a UUID is the usual choice). Both may be given only with
 * the same value. Stateless.
 */
final class IdempotencyKeys {
    static final String HEADER = "Idempotency-Key";
    static final String PARAMETER = "idempotency_key";
    static final int MAX_LENGTH = 255;

    private IdempotencyKeys() {}

    /** A push's idempotency key refused: the problem in words. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String problem) {
            super(problem, null, false, false);
        }
    }

    /**
     * The push's idempotency key, or null when it has none.
     *
     * @param header the {@value #HEADER} header's value, or null
     * @param parameter the {@value #PARAMETER} query parameter (decoded), or null
     * @throws Malformed when either is empty, too long, or not printable ASCII, or they differ
     */
    static String of(String header, String parameter) throws Malformed {
        String fromHeader = header == null ? null : check(HEADER + " header", unquote(header));
        String fromParameter =
                parameter == null ? null : check(PARAMETER + " parameter", parameter);
        if (fromHeader != null && fromParameter != null && !fromHeader.equals(fromParameter)) {
            throw new Malformed(
                    "the " + HEADER + " header and the " + PARAMETER + " parameter differ");
        }
        return fromHeader != null ? fromHeader : fromParameter;
    }

    /** A structured-field string's content ({@code "a\"b"} is {@code a"b}); else the value. */
    private static String unquote(String value) throws Malformed {
        String v = value.strip();
        if (v.length() < 2 || v.charAt(0) != '"' || v.charAt(v.length() - 1) != '"') {
            return v;
        }
        StringBuilder out = new StringBuilder(v.length());
        for (int i = 1; i < v.length() - 1; i++) {
            char c = v.charAt(i);
            if (c == '\\') {
                if (i + 1 >= v.length() - 1 || v.charAt(i + 1) != '"' && v.charAt(i + 1) != '\\') {
                    throw new Malformed(
                            "the " + HEADER + " header is not a valid string (a lone backslash)");
                }
                c = v.charAt(++i);
            } else if (c == '"') {
                throw new Malformed(
                        "the " + HEADER + " header is not a valid string (an unescaped quote)");
            }
            out.append(c);
        }
        return out.toString();
    }

    private static String check(String what, String key) throws Malformed {
        if (key.isEmpty()) {
            throw new Malformed("the " + what + " must not be empty");
        }
        if (key.length() > MAX_LENGTH) {
            throw new Malformed(
                    "the "
                            + what
                            + " is "
                            + key.length()
                            + " characters, at most "
                            + MAX_LENGTH
                            + " allowed");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw new Malformed(
                        "the "
                                + what
                                + " must be printable ASCII, character "
                                + (i + 1)
                                + " is not");
            }
        }
        return key;
    }
}
