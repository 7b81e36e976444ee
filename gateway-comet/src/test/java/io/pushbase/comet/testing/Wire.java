package io.pushbase.comet.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Bytes in and out of an {@link EmbeddedChannel}; everything read is released. */
public final class Wire {
    private Wire() {}

    /** The example request of docs/PROTOCOL.md section 3. */
    public static final String EXAMPLE_SUB = "*3\r\n$3\r\nsub\r\n$9\r\nTerry-Mao\r\n$2\r\n30\r\n";

    public static ByteBuf bytes(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }

    public static ByteBuf bytes(byte[] data) {
        return Unpooled.wrappedBuffer(data);
    }

    /** A RESP request of these arguments, as a client encodes it. */
    public static String request(String... args) {
        StringBuilder sb = new StringBuilder().append('*').append(args.length).append("\r\n");
        for (String arg : args) {
            sb.append('$')
                    .append(arg.getBytes(StandardCharsets.UTF_8).length)
                    .append("\r\n")
                    .append(arg)
                    .append("\r\n");
        }
        return sb.toString();
    }

    /** Writes each byte as its own read, as a client on a very slow link would. */
    public static void writeByteByByte(EmbeddedChannel channel, String text) {
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
    }

    /** Every outbound byte written so far, concatenated; the buffers are released. */
    public static byte[] outboundBytes(EmbeddedChannel channel) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object msg; (msg = channel.readOutbound()) != null; ) {
            if (!(msg instanceof ByteBuf buf)) {
                io.netty.util.ReferenceCountUtil.release(msg);
                throw new AssertionError("expected bytes on the wire but got " + msg);
            }
            try {
                byte[] chunk = new byte[buf.readableBytes()];
                buf.readBytes(chunk);
                out.writeBytes(chunk);
            } finally {
                buf.release();
            }
        }
        return out.toByteArray();
    }

    /** {@link #outboundBytes} as UTF-8 text. */
    public static String outbound(EmbeddedChannel channel) {
        return new String(outboundBytes(channel), StandardCharsets.UTF_8);
    }
}
