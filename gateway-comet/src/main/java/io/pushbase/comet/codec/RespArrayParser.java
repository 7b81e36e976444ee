package io.pushbase.comet.codec;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses RESP arrays of bulk strings, {@code *<argc>\r\n} followed by argc times {@code
 * $<len>\r\n<bytes>\r\n}, into {@link RespRequest}s: the one parser of the {@code sub} request
 * ({@link RespRequestDecoder}), a subscribed TCP client's commands ({@link CommandDecoder}) and a
 * WebSocket text frame's request ({@link WebSocketHeartbeatDecoder}).
 *
 * <p>A state machine that reads the {@code *N} / {@code $N} lines byte by byte, so it rejects a bad
 * byte as soon as it arrives and never buffers a line. Hard limits are checked before anything is
 * buffered: a line longer than {@code maxLineLength} bytes (prefix and CRLF included), a count
 * outside 1..{@code maxArgs} or a bulk length above {@code maxBulkLength} fails while its digits
 * are still arriving; only the bytes of one announced bulk string (at most {@code maxBulkLength +
 * 2}) are ever left unread waiting for more input. Any violation throws {@link
 * RespDecoderException}; the caller closes the connection, and the parser must not be used again.
 *
 * <p>Not thread-safe: one instance per connection (or per frame), used on its event loop only.
 */
final class RespArrayParser {
    private enum State {
        ARRAY_PREFIX,
        ARGC_DIGITS,
        ARGC_LF,
        BULK_PREFIX,
        LENGTH_DIGITS,
        LENGTH_LF,
        BULK_DATA
    }

    private final int maxArgs;
    private final int maxBulkLength;
    private final int maxLineLength;

    private State state = State.ARRAY_PREFIX;
    private int lineLength;
    private int digits;
    private long number;
    private int argc;
    private int bulkLength;
    private final List<byte[]> args = new ArrayList<>();

    /**
     * @param maxArgs most arguments of one array, at most {@value RespRequestDecoder#MAX_ARGS}
     * @param maxBulkLength longest argument in bytes, at least 1
     * @param maxLineLength longest {@code *N} / {@code $N} line in bytes, prefix and CRLF included;
     *     at least 4 (one digit)
     */
    RespArrayParser(int maxArgs, int maxBulkLength, int maxLineLength) {
        if (maxArgs < 1 || maxArgs > RespRequestDecoder.MAX_ARGS) {
            throw new IllegalArgumentException(
                    "maxArgs must be 1.." + RespRequestDecoder.MAX_ARGS + ": " + maxArgs);
        }
        if (maxBulkLength < 1) {
            throw new IllegalArgumentException("maxBulkLength must be positive: " + maxBulkLength);
        }
        if (maxLineLength < 4) {
            throw new IllegalArgumentException(
                    "maxLineLength must be at least 4: " + maxLineLength);
        }
        this.maxArgs = maxArgs;
        this.maxBulkLength = maxBulkLength;
        this.maxLineLength = maxLineLength;
    }

    /**
     * Reads from {@code in} until one array is complete or the input runs out; reads nothing past
     * the array's last byte.
     *
     * @return the array, after which the parser expects the next one's {@code *}; or null when
     *     {@code in} ended before the array did (call again with more input)
     * @throws RespDecoderException on any violation of the form or the limits
     */
    RespRequest read(ByteBuf in) {
        while (in.isReadable()) {
            switch (state) {
                case ARRAY_PREFIX -> {
                    expectPrefix(in.readByte(), '*');
                    state = State.ARGC_DIGITS;
                }
                case ARGC_DIGITS -> {
                    if (readDigit(in.readByte(), maxArgs, "argument count")) {
                        if (number < 1) {
                            throw fail("argument count " + number + " is not 1.." + maxArgs);
                        }
                        argc = (int) number;
                        state = State.ARGC_LF;
                    }
                }
                case ARGC_LF -> {
                    expectLf(in);
                    state = State.BULK_PREFIX;
                }
                case BULK_PREFIX -> {
                    expectPrefix(in.readByte(), '$');
                    state = State.LENGTH_DIGITS;
                }
                case LENGTH_DIGITS -> {
                    if (readDigit(in.readByte(), maxBulkLength, "bulk length")) {
                        bulkLength = (int) number;
                        state = State.LENGTH_LF;
                    }
                }
                case LENGTH_LF -> {
                    expectLf(in);
                    state = State.BULK_DATA;
                }
                case BULK_DATA -> {
                    // Bounded wait: bulkLength was checked against maxBulkLength already.
                    if (in.readableBytes() < bulkLength + 2) {
                        return null;
                    }
                    byte[] arg = new byte[bulkLength];
                    in.readBytes(arg);
                    if (in.readByte() != '\r') {
                        throw fail("bulk string of " + bulkLength + " bytes not followed by CR");
                    }
                    expectLf(in);
                    args.add(arg);
                    if (args.size() < argc) {
                        state = State.BULK_PREFIX;
                    } else {
                        RespRequest request = new RespRequest(args);
                        args.clear();
                        state = State.ARRAY_PREFIX;
                        return request;
                    }
                }
            }
        }
        return null;
    }

    private void expectPrefix(byte b, char prefix) {
        if (b != prefix) {
            throw fail("expected '" + prefix + "' but got " + describe(b));
        }
        lineLength = 1;
        digits = 0;
        number = 0;
    }

    /**
     * Consumes one byte of a number line.
     *
     * @return true when the byte was the CR that ends the number
     */
    private boolean readDigit(byte b, int max, String what) {
        lineLength++;
        if (b == '\r') {
            if (digits == 0) {
                throw fail(what + " has no digits");
            }
            return true;
        }
        if (b < '0' || b > '9') {
            throw fail(what + ": expected a digit or CR but got " + describe(b));
        }
        // With its CR and LF still to come, the line is at least lineLength + 2 bytes long.
        if (lineLength + 2 > maxLineLength) {
            throw fail(what + " line longer than " + maxLineLength + " bytes");
        }
        digits++;
        number = number * 10 + (b - '0');
        if (number > max) {
            throw fail(what + " above " + max);
        }
        return false;
    }

    private static void expectLf(ByteBuf in) {
        byte b = in.readByte();
        if (b != '\n') {
            throw fail("expected LF after CR but got " + describe(b));
        }
    }

    private static RespDecoderException fail(String message) {
        return new RespDecoderException(message);
    }

    /** A byte as shown in a violation's message: itself when printable, else its hex value. */
    static String describe(byte b) {
        return b >= 0x21 && b <= 0x7e ? "'" + (char) b + "'" : String.format("0x%02x", b & 0xff);
    }
}
