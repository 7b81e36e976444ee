package io.pushbase.comet.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import io.pushbase.comet.message.PushMessage;
import java.nio.charset.StandardCharsets;

/**
 * Frames a {@link PushMessage} for a TCP client as a RESP bulk string: {@code $<byte length of the
 * JSON>\r\n<message JSON>\r\n} (docs/PROTOCOL.md sections 3 and 5). Other outbound messages (the
 * {@link Reply replies}, already bytes) pass through untouched.
 *
 * <p>Allocates one buffer of exactly the frame's size per message; Netty releases it once written.
 * Stateless, so one instance may serve every channel.
 */
@Sharable
public final class TcpMessageEncoder extends MessageToByteEncoder<PushMessage> {

    public TcpMessageEncoder() {
        super(PushMessage.class);
    }

    @Override
    protected ByteBuf allocateBuffer(
            ChannelHandlerContext ctx, PushMessage msg, boolean preferDirect) {
        int json = msg.jsonLength();
        int frame = 1 + Integer.toString(json).length() + 2 + json + 2;
        return preferDirect ? ctx.alloc().ioBuffer(frame) : ctx.alloc().heapBuffer(frame);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, PushMessage msg, ByteBuf out) {
        out.writeByte('$');
        out.writeCharSequence(Integer.toString(msg.jsonLength()), StandardCharsets.US_ASCII);
        out.writeByte('\r').writeByte('\n');
        msg.writeJson(out);
        out.writeByte('\r').writeByte('\n');
    }
}
