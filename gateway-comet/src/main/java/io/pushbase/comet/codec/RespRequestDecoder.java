package io.pushbase.comet.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the one request a TCP client sends after connecting: a RESP array of bulk strings, {@code
 * *<argc>\r\n} followed by argc times {@code $<len>\r\n<bytes>\r\n}, argc between 1 and {@value
 * #MAX_ARGS} (docs/PROTOCOL.md section 3). Emits one {@link RespRequest} holding each argument's
 * bytes as they arrived (nothing decoded here, so a rule can see invalid UTF-8); the handler that
 * consumes it then replaces this decoder (with a {@link CommandDecoder} after a successful
 * subscribe), and Netty hands any bytes already received after the request to the replacement.
 *
 * <p>A small state machine that reads the {@code *N} / {@code $N} lines byte by byte, so it rejects
 * a bad byte as soon as it arrives and never buffers a line. Hard limits are checked before
 * anything is buffered: a line longer than {@code maxLineLength} bytes (prefix and CRLF included),
 * a count above the limit or a bulk length above {@code maxBulkLength} fails while its digits are
 * still arriving; only the bytes of one announced bulk string (at most {@code maxBulkLength + 2})
 * are ever held back waiting for more input.
 *
 * <p>Any violation — first byte not {@code *}, a bulk line not starting with {@code $}, an empty,
 * signed or non-numeric count or length, argc outside 1..{@value #MAX_ARGS}, a length above the
 * limit, a missing CR or LF — throws {@link RespDecoderException} and the connection is closed
 * without a reply (docs/PROTOCOL.md section 5). After a violation, and after the request has been
 * emitted, further input is discarded, so a decoder left in a closing pipeline holds nothing.
 *
 * <p>Unlike gopush-cluster's line reader, a bulk string is read by its announced length, so an
 * argument may contain {@code \n}; every request gopush-cluster accepted decodes the same.
 *
 * <p>One instance per connection; used on its event loop only.
 */
public final class RespRequestDecoder extends ByteToMessageDecoder {
    /**
     * Most arguments in one request: {@code sub key heartbeat token version since rooms}.
     * gopush-cluster took at most 5; the sixth, {@code since}, is Pushbase's resume and the
     * seventh, {@code rooms}, the rooms to join (docs/PROTOCOL.md section 3).
     */
    public static final int MAX_ARGS = 7;

    /** Default longest bulk string: tokens are JWTs, keys are short. */
    public static final int DEFAULT_MAX_BULK_LENGTH = 2048;

    /**
     * Default longest {@code *N} / {@code $N} line, prefix and CRLF included: room for any allowed
     * number plus a few leading zeros, which gopush-cluster's {@code strconv.Atoi} accepted.
     */
    public static final int DEFAULT_MAX_LINE_LENGTH = 16;

    private enum State {
        ARRAY_PREFIX,
        ARGC_DIGITS,
        ARGC_LF,
        BULK_PREFIX,
        LENGTH_DIGITS,
        LENGTH_LF,
        BULK_DATA,
        /** Request emitted: whoever consumes it replaces this decoder or closes the channel. */
        DONE,
        /** Violation thrown: the channel is being closed. */
        FAILED
    }

    private final int maxBulkLength;
    private final int maxLineLength;

    private State state = State.ARRAY_PREFIX;
    private int lineLength;
    private int digits;
    private long number;
    private int argc;
    private int bulkLength;
    private final List<byte[]> args = new ArrayList<>(MAX_ARGS);

    public RespRequestDecoder() {
        this(DEFAULT_MAX_BULK_LENGTH, DEFAULT_MAX_LINE_LENGTH);
    }

    /**
     * @param maxBulkLength longest argument in bytes, at least 1
     * @param maxLineLength longest {@code *N} / {@code $N} line in bytes, prefix and CRLF included;
     *     at least 4 (one digit)
     */
    public RespRequestDecoder(int maxBulkLength, int maxLineLength) {
        if (maxBulkLength < 1) {
            throw new IllegalArgumentException("maxBulkLength must be positive: " + maxBulkLength);
        }
        if (maxLineLength < 4) {
            throw new IllegalArgumentException(
                    "maxLineLength must be at least 4: " + maxLineLength);
        }
        this.maxBulkLength = maxBulkLength;
        this.maxLineLength = maxLineLength;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            decodeRequest(in, out);
        } catch (RespDecoderException e) {
            // Drop what else came in: the connection is closed without a reply.
            state = State.FAILED;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    private void decodeRequest(ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            switch (state) {
                case ARRAY_PREFIX -> {
                    expectPrefix(in.readByte(), '*');
                    state = State.ARGC_DIGITS;
                }
                case ARGC_DIGITS -> {
                    if (readDigit(in.readByte(), MAX_ARGS, "argument count")) {
                        if (number < 1) {
                            throw fail("argument count " + number + " is not 1.." + MAX_ARGS);
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
                        return;
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
                        state = State.DONE;
                        out.add(new RespRequest(args));
                        return;
                    }
                }
                case DONE, FAILED -> {
                    in.skipBytes(in.readableBytes());
                    return;
                }
            }
        }
    }

    /** Bytes held back, waiting for the rest of a bulk string (for tests of the bound). */
    int bufferedBytes() {
        return actualReadableBytes();
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

    private void expectLf(ByteBuf in) {
        byte b = in.readByte();
        if (b != '\n') {
            throw fail("expected LF after CR but got " + describe(b));
        }
    }

    private static RespDecoderException fail(String message) {
        return new RespDecoderException(message);
    }

    private static String describe(byte b) {
        return b >= 0x21 && b <= 0x7e ? "'" + (char) b + "'" : String.format("0x%02x", b & 0xff);
    }
}
