package io.pushbase.bench;

import java.nio.charset.StandardCharsets;

/**
 * Whole numbers read straight out of JSON bytes, without parsing the document: the load generator
 * shares the machine's cores with the server, and a pushed frame or a pull answer is read thousands
 * of times a second only for a few numbers. A field is found by its quoted name, also inside a JSON
 * document escaped into a string (the old message format: {@code {"msg":"{\"t\":1}"}}). Stateless.
 */
final class JsonNumbers {
    /** What the readers answer when there is no such number. */
    static final long NONE = Long.MIN_VALUE;

    private JsonNumbers() {}

    static byte[] name(String field) {
        return field.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The value of the first field called {@code name} in {@code json[0..length)}: {@code "name":N}
     * or, escaped, {@code \"name\":N}; {@link #NONE} when there is none.
     */
    static long field(byte[] json, int length, byte[] name) {
        for (int i = 1; i + name.length < length; i++) {
            if (json[i - 1] != '"' || !startsWith(json, i, name)) {
                continue;
            }
            int at = i + name.length;
            if (json[at] == '\\') {
                at++;
            }
            if (at + 1 >= length || json[at] != '"' || json[at + 1] != ':') {
                continue;
            }
            return numberAt(json, at + 2, length);
        }
        return NONE;
    }

    /**
     * The whole number starting at {@code json[at]} (after optional spaces), ending before {@code
     * to} at the first byte that is not a digit; {@link #NONE} when there are no digits.
     */
    static long numberAt(byte[] json, int at, int to) {
        while (at < to && json[at] == ' ') {
            at++;
        }
        boolean negative = at < to && json[at] == '-';
        if (negative) {
            at++;
        }
        long value = 0;
        int digits = 0;
        for (; at < to && json[at] >= '0' && json[at] <= '9'; at++, digits++) {
            value = value * 10 + (json[at] - '0');
        }
        if (digits == 0) {
            return NONE;
        }
        return negative ? -value : value;
    }

    private static boolean startsWith(byte[] json, int at, byte[] name) {
        for (int j = 0; j < name.length; j++) {
            if (json[at + j] != name[j]) {
                return false;
            }
        }
        return true;
    }

    /** The first index of {@code needle} in {@code buf[from..len)}, or -1. */
    static int indexOf(byte[] buf, int from, int len, byte[] needle) {
        outer:
        for (int i = from; i <= len - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (buf[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
