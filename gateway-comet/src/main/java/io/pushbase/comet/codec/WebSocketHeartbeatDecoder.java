package io.pushbase.comet.codec;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.List;

/**
 * Decodes a subscribed WebSocket client's heartbeats: a text frame whose payload is exactly {@code
 * h} is a {@link Heartbeat}. Any other data frame (other text, binary, a fragmented message) throws
 * {@link RespDecoderException}, and the connection is closed without a reply, as on TCP. Control
 * frames never get here: Netty's WebSocket protocol handler answers pings and closes.
 *
 * <p>Every frame is released here (the base class does it after decoding). Stateless per frame; one
 * instance per connection for clarity, event loop only.
 */
public final class WebSocketHeartbeatDecoder extends MessageToMessageDecoder<WebSocketFrame> {

    public WebSocketHeartbeatDecoder() {
        super(WebSocketFrame.class);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) {
        if (frame instanceof TextWebSocketFrame
                && frame.isFinalFragment()
                && frame.content().readableBytes() == 1
                && frame.content().getByte(frame.content().readerIndex()) == 'h') {
            out.add(Heartbeat.INSTANCE);
            return;
        }
        throw new RespDecoderException(
                "expected a text frame \"h\" but got "
                        + frame.getClass().getSimpleName()
                        + " of "
                        + frame.content().readableBytes()
                        + " bytes");
    }
}
