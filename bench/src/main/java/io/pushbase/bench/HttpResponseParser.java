package io.pushbase.bench;

import io.pushbase.bench.KeepAliveHttpClient.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * Recognises one complete HTTP/1.1 response at the start of a buffer: status line, headers, and a
 * body framed by {@code Content-Length} or {@code Transfer-Encoding: chunked} (trailers are not
 * expected). Stateless; the caller parses again after each read until a response is complete.
 */
final class HttpResponseParser {
    /** The web node's error description header ({@code Answer.PROBLEM_HEADER}), lower case. */
    private static final String PROBLEM_HEADER = "x-pushbase-error:";

    private HttpResponseParser() {}

    /**
     * The response in {@code buf[0..len)}, or null while it is incomplete.
     *
     * @throws IOException when the bytes are not an HTTP/1.1 response this parser understands
     */
    static Reply parse(byte[] buf, int len) throws IOException {
        int headEnd = indexOf(buf, 0, len, HEAD_END);
        if (headEnd < 0) {
            return null;
        }
        String[] lines = new String(buf, 0, headEnd, StandardCharsets.ISO_8859_1).split("\r\n", -1);
        if (!lines[0].startsWith("HTTP/1.1 ") || lines[0].length() < 12) {
            throw new IOException("not an HTTP/1.1 status line: " + lines[0]);
        }
        int status = Integer.parseInt(lines[0].substring(9, 12));
        long contentLength = -1;
        boolean chunked = false;
        boolean closes = false;
        String problem = null;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].toLowerCase(Locale.ROOT);
            if (line.startsWith("content-length:")) {
                contentLength = Long.parseLong(line.substring(15).trim());
            } else if (line.startsWith("transfer-encoding:")) {
                chunked = line.contains("chunked");
            } else if (line.startsWith("connection:")) {
                closes = line.contains("close");
            } else if (line.startsWith(PROBLEM_HEADER)) {
                problem = lines[i].substring(PROBLEM_HEADER.length()).trim();
            }
        }
        int bodyStart = headEnd + 4;
        if (chunked) {
            return chunked(buf, bodyStart, len, new Reply(status, null, closes, problem));
        }
        if (contentLength < 0) {
            throw new IOException("a response without Content-Length or chunked encoding");
        }
        if (len - bodyStart < contentLength) {
            return null;
        }
        return new Reply(
                status,
                Arrays.copyOfRange(buf, bodyStart, bodyStart + (int) contentLength),
                closes,
                problem);
    }

    /** The chunked body starting at {@code from}, with the status and headers of {@code head}. */
    private static Reply chunked(byte[] buf, int from, int len, Reply head) throws IOException {
        byte[] body = new byte[Math.max(0, len - from)];
        int bodyLen = 0;
        int at = from;
        while (true) {
            int lineEnd = indexOf(buf, at, len, CRLF);
            if (lineEnd < 0) {
                return null;
            }
            String size = new String(buf, at, lineEnd - at, StandardCharsets.ISO_8859_1);
            int semicolon = size.indexOf(';');
            int chunk;
            try {
                chunk =
                        Integer.parseInt(
                                (semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("bad chunk size line: " + size);
            }
            at = lineEnd + 2;
            if (len - at < chunk + 2) {
                return null;
            }
            if (chunk == 0) {
                return new Reply(
                        head.status(), Arrays.copyOf(body, bodyLen), head.closes(), head.problem());
            }
            System.arraycopy(buf, at, body, bodyLen, chunk);
            bodyLen += chunk;
            at += chunk + 2;
        }
    }

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] HEAD_END = {'\r', '\n', '\r', '\n'};

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
