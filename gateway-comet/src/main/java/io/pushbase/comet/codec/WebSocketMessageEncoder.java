package io.pushbase.comet.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.pushbase.comet.message.PushMessage;
import java.util.List;

/**
 * Turns a {@link PushMessage} into one WebSocket text frame holding the bare message JSON — no
 * {@code $len} framing and no CRLF (docs/PROTOCOL.md section 5).
 *
 * <p>The frame's buffer is allocated at exactly the JSON's size and released by the WebSocket frame
 * encoder once written. Stateless, so one instance may serve every channel.
 */
@Sharable
public final class WebSocketMessageEncoder extends MessageToMessageEncoder<PushMessage> {

    public WebSocketMessageEncoder() {
        super(PushMessage.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, PushMessage msg, List<Object> out) {
        ByteBuf json = ctx.alloc().buffer(msg.jsonLength());
        msg.writeJson(json);
        out.add(new TextWebSocketFrame(json));
    }
}
