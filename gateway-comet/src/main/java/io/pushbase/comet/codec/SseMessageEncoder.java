package io.pushbase.comet.codec;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.pushbase.comet.message.PushMessage;
import java.util.List;

/**
 * (Pushbase) Turns a {@link PushMessage} into one Server-Sent Event ({@link SseEvents#message}) as
 * a piece of the response body: the HTTP codec in front frames it (a chunk of a chunked response).
 * Stateless, so one instance may serve every channel.
 */
@Sharable
public final class SseMessageEncoder extends MessageToMessageEncoder<PushMessage> {

    public SseMessageEncoder() {
        super(PushMessage.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, PushMessage msg, List<Object> out) {
        out.add(new DefaultHttpContent(SseEvents.message(ctx.alloc(), msg)));
    }
}
