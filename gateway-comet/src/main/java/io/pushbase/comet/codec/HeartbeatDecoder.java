package io.pushbase.comet.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Decodes a subscribed TCP client's input: heartbeats, every byte {@code h} one {@link Heartbeat}
 * ({@code hh} is two), and (Pushbase) commands, a byte {@code *} starting one RESP request decoded
 * by a fresh {@link RespRequestDecoder} with the same limits as the {@code sub} request, emitted as
 * a {@link RespRequest} (the {@code ack} of docs/PROTOCOL.md "Acknowledgements"; a handler further
 * on decides what a command means). Any other byte, or a violation inside a request, throws {@link
 * RespDecoderException} and the connection is closed without a reply (docs/PROTOCOL.md section 5);
 * the rest of that read is discarded, as is anything after it. gopush-cluster clients never send
 * {@code *} after subscribing (it closed the connection), so their input decodes as before.
 *
 * <p>Holds no bytes between reads but those of a request still arriving (at most one bulk string's,
 * as {@link RespRequestDecoder} bounds them). One instance per connection; event loop only.
 */
public final class HeartbeatDecoder extends ByteToMessageDecoder {
    private final int maxBulkLength;
    private final int maxLineLength;
    private boolean failed;

    /** The request being decoded, null between requests. */
    private RespRequestDecoder command;

    /** Commands decoded with the default limits of the {@code sub} request. */
    public HeartbeatDecoder() {
        this(
                RespRequestDecoder.DEFAULT_MAX_BULK_LENGTH,
                RespRequestDecoder.DEFAULT_MAX_LINE_LENGTH);
    }

    /** Commands decoded with these limits (see {@link RespRequestDecoder}). */
    public HeartbeatDecoder(int maxBulkLength, int maxLineLength) {
        this.maxBulkLength = maxBulkLength;
        this.maxLineLength = maxLineLength;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            while (in.isReadable()) {
                if (command != null) {
                    int before = out.size();
                    command.decode(ctx, in, out);
                    if (out.size() == before) {
                        return; // the rest of the request has not arrived yet
                    }
                    command = null;
                    continue;
                }
                byte b = in.getByte(in.readerIndex());
                if (b == '*') {
                    command = new RespRequestDecoder(maxBulkLength, maxLineLength);
                    continue;
                }
                in.skipBytes(1);
                if (b != 'h') {
                    throw new RespDecoderException(
                            String.format("expected heartbeat 'h' but got 0x%02x", b & 0xff));
                }
                out.add(Heartbeat.INSTANCE);
            }
        } catch (RespDecoderException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }
}
