package io.pushbase.comet.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.ArrayList;
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
 * back waiting for more input.
 *
 * <p>One instance per connection; event loop only.
 */
public final class CommandDecoder extends ByteToMessageDecoder {
    /** Most arguments of a command ({@code join <room> <since>} has three). */
    public static final int MAX_ARGS = 4;

    /** Longest argument of a command (a room name is at most 128 bytes, a mid 19 digits). */
    public static final int MAX_BULK_LENGTH = 256;

    private static final int MAX_LINE_LENGTH = 16;

    private enum State {
        IDLE,
        ARGC_DIGITS,
        ARGC_LF,
        BULK_PREFIX,
        LENGTH_DIGITS,
        LENGTH_LF,
        BULK_DATA,
        FAILED
    }

    private State state = State.IDLE;
    private int lineLength;
    private int digits;
    private long number;
    private int argc;
    private int bulkLength;
    private final List<byte[]> args = new ArrayList<>(MAX_ARGS);

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            decodeInput(in, out);
        } catch (RespDecoderException e) {
            state = State.FAILED;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    private void decodeInput(ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            switch (state) {
                case IDLE -> {
                    byte b = in.readByte();
                    if (b == 'h') {
                        out.add(Heartbeat.INSTANCE);
                    } else if (b == '*') {
                        start();
                        state = State.ARGC_DIGITS;
                    } else {
                        throw new RespDecoderException(
                                String.format(
                                        "expected heartbeat 'h' or a command but got 0x%02x",
                                        b & 0xff));
                    }
                }
                case ARGC_DIGITS -> {
                    if (readDigit(in.readByte(), MAX_ARGS, "argument count")) {
                        if (number < 1) {
                            throw new RespDecoderException("a command has no arguments");
                        }
                        argc = (int) number;
                        state = State.ARGC_LF;
                    }
                }
                case ARGC_LF -> {
                    expectLf(in.readByte());
                    state = State.BULK_PREFIX;
                }
                case BULK_PREFIX -> {
                    byte b = in.readByte();
                    if (b != '$') {
                        throw new RespDecoderException("expected '$' in a command");
                    }
                    start();
                    state = State.LENGTH_DIGITS;
                }
                case LENGTH_DIGITS -> {
                    if (readDigit(in.readByte(), MAX_BULK_LENGTH, "bulk length")) {
                        bulkLength = (int) number;
                        state = State.LENGTH_LF;
                    }
                }
                case LENGTH_LF -> {
                    expectLf(in.readByte());
                    state = State.BULK_DATA;
                }
                case BULK_DATA -> {
                    if (in.readableBytes() < bulkLength + 2) {
                        return;
                    }
                    byte[] arg = new byte[bulkLength];
                    in.readBytes(arg);
                    if (in.readByte() != '\r') {
                        throw new RespDecoderException("bulk string not followed by CR");
                    }
                    expectLf(in.readByte());
                    args.add(arg);
                    if (args.size() < argc) {
                        state = State.BULK_PREFIX;
                    } else {
                        out.add(new RespRequest(args));
                        args.clear();
                        state = State.IDLE;
                    }
                }
                case FAILED -> {
                    in.skipBytes(in.readableBytes());
                    return;
                }
            }
        }
    }

    /**
     * One command that fills {@code bytes} exactly — a WebSocket text frame carrying a command in
     * the TCP form, {@code *2\r\n$4\r\njoin\r\n$5\r\nlobby\r\n} — or null when the bytes are not
     * exactly one request within the limits. {@code bytes} is not consumed.
     */
    public static RespRequest single(ByteBuf bytes) {
        ByteBuf in = bytes.duplicate();
        if (!in.isReadable() || in.getByte(in.readerIndex()) != '*') {
            return null;
        }
        CommandDecoder decoder = new CommandDecoder();
        List<Object> out = new ArrayList<>(1);
        try {
            decoder.decodeInput(in, out);
        } catch (RespDecoderException e) {
            return null;
        }
        return out.size() == 1
                        && out.get(0) instanceof RespRequest request
                        && !in.isReadable()
                        && decoder.state == State.IDLE
                ? request
                : null;
    }

    private void start() {
        lineLength = 1;
        digits = 0;
        number = 0;
    }

    private boolean readDigit(byte b, int max, String what) {
        lineLength++;
        if (b == '\r') {
            if (digits == 0) {
                throw new RespDecoderException(what + " has no digits");
            }
            return true;
        }
        if (b < '0' || b > '9') {
            throw new RespDecoderException(what + ": expected a digit or CR");
        }
        if (lineLength + 2 > MAX_LINE_LENGTH) {
            throw new RespDecoderException(what + " line too long");
        }
        digits++;
        number = number * 10 + (b - '0');
        if (number > max) {
            throw new RespDecoderException(what + " above " + max);
        }
        return false;
    }

    private static void expectLf(byte b) {
        if (b != '\n') {
            throw new RespDecoderException("expected LF after CR");
        }
    }
}
