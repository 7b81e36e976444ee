package io.pushbase.comet.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Decodes the one request a TCP client sends after connecting: a RESP array of bulk strings, {@code
 * *<argc>\r\n} followed by argc times {@code $<len>\r\n<bytes>\r\n}, argc between 1 and {@value
 * #MAX_ARGS} (docs/PROTOCOL.md section 3). Emits one {@link RespRequest} holding each argument's
 * bytes as they arrived (nothing decoded here, so a rule can see invalid UTF-8); the handler that
 * consumes it then replaces this decoder (with a {@link CommandDecoder} after a successful
 * subscribe), and Netty hands any bytes already received after the request to the replacement.
 *
 * <p>The parsing is {@link RespArrayParser}'s: a bad byte is rejected as soon as it arrives, hard
 * limits are checked before anything is buffered (a line longer than {@code maxLineLength} bytes,
 * prefix and CRLF included, a count above the limit or a bulk length above {@code maxBulkLength}
 * fails while its digits are still arriving), and only the bytes of one announced bulk string (at
 * most {@code maxBulkLength + 2}) are ever held back waiting for more input.
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

    private final RespArrayParser parser;

    /** Request emitted, or a violation thrown: further input is discarded. */
    private boolean done;

    public RespRequestDecoder() {
        this(DEFAULT_MAX_BULK_LENGTH, DEFAULT_MAX_LINE_LENGTH);
    }

    /**
     * @param maxBulkLength longest argument in bytes, at least 1
     * @param maxLineLength longest {@code *N} / {@code $N} line in bytes, prefix and CRLF included;
     *     at least 4 (one digit)
     */
    public RespRequestDecoder(int maxBulkLength, int maxLineLength) {
        this.parser = new RespArrayParser(MAX_ARGS, maxBulkLength, maxLineLength);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (done) {
            // Whoever consumed the request replaces this decoder or closes the channel.
            in.skipBytes(in.readableBytes());
            return;
        }
        RespRequest request;
        try {
            request = parser.read(in);
        } catch (RespDecoderException e) {
            // Drop what else came in: the connection is closed without a reply.
            done = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
        if (request != null) {
            done = true;
            out.add(request);
        }
    }

    /** Bytes held back, waiting for the rest of a bulk string (for tests of the bound). */
    int bufferedBytes() {
        return actualReadableBytes();
    }
}
