package io.pushbase.comet.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Decodes a subscribed TCP client's heartbeats: every byte must be {@code h}, and each one is a
 * {@link Heartbeat} ({@code hh} is two). Any other byte throws {@link RespDecoderException} and the
 * connection is closed without a reply (docs/PROTOCOL.md section 5); the rest of that read is
 * discarded, as is anything after it.
 *
 * <p>Holds no bytes between reads. One instance per connection; used on its event loop only.
 */
public final class HeartbeatDecoder extends ByteToMessageDecoder {
    private boolean failed;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.isReadable()) {
            byte b = in.readByte();
            if (b != 'h') {
                failed = true;
                in.skipBytes(in.readableBytes());
                throw new RespDecoderException(
                        String.format("expected heartbeat 'h' but got 0x%02x", b & 0xff));
            }
            out.add(Heartbeat.INSTANCE);
        }
    }
}
