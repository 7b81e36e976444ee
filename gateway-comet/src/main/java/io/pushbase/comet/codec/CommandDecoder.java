package io.pushbase.comet.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Decodes what a subscribed TCP client sends: heartbeats — each byte {@code h} is a {@link
 * Heartbeat} — and (Pushbase) commands, each a RESP array of bulk strings like the {@code sub}
 * request ({@code *2\r\n$4\r\njoin\r\n$5\r\nlobby\r\n}), emitted as a {@link RespRequest} for the
 * handlers behind (docs/PROTOCOL.md "Rooms": {@code join}, {@code leave}). A gopush-cluster client
 * sends only {@code h}, so nothing changes for it: a byte other than {@code h} still closed its
 * connection, and one other than {@code h} or {@code *} still does.
 *
 * <p>Hard limits, each a close without a reply ({@link RespDecoderException}): 1 to {@value
 * #MAX_ARGS} arguments, a bulk string of at most {@value #MAX_BULK_LENGTH} bytes, a {@code *N} /
 * {@code $N} line of at most 16 bytes. Only the bytes of one announced bulk string are ever held
 * back waiting for more input. The parsing is the {@code sub} request's ({@link RespArrayParser}),
 * with these limits.
 *
 * <p>One instance per connection; event loop only.
 */
public final class CommandDecoder extends ByteToMessageDecoder {
    /** Most arguments of a command ({@code join <room> <since>} has three). */
    public static final int MAX_ARGS = 4;

    /** Longest argument of a command (a room name is at most 128 bytes, a mid 19 digits). */
    public static final int MAX_BULK_LENGTH = 256;

    private static final int MAX_LINE_LENGTH = 16;

    private final RespArrayParser parser =
            new RespArrayParser(MAX_ARGS, MAX_BULK_LENGTH, MAX_LINE_LENGTH);

    /** Inside a command: the parser has consumed its {@code *} and maybe more. */
    private boolean inCommand;

    /** A violation was thrown: the channel is being closed, further input is discarded. */
    private boolean failed;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            decodeInput(in, out);
        } catch (RespDecoderException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    private void decodeInput(ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            if (!inCommand) {
                byte b = in.getByte(in.readerIndex());
                if (b == 'h') {
                    in.skipBytes(1);
                    out.add(Heartbeat.INSTANCE);
                    continue;
                }
                if (b != '*') {
                    throw new RespDecoderException(
                            String.format(
                                    "expected heartbeat 'h' or a command but got 0x%02x",
                                    b & 0xff));
                }
                inCommand = true;
            }
            RespRequest command = parser.read(in);
            if (command == null) {
                return; // the rest of the command has not arrived yet
            }
            out.add(command);
            inCommand = false;
        }
    }
}
