package io.pushbase.comet.handler;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import java.util.Set;

/**
 * Refuses a WebSocket handshake whose {@code Origin} header names an origin outside the configured
 * allow-list with {@code 403 Forbidden} and a close. An empty list allows every origin, and a
 * request without {@code Origin} (native clients send none) is always let through: gopush-cluster
 * answered those 403, Pushbase accepts them (docs/PROTOCOL.md section 5).
 *
 * <p>Looks at the first request only (the upgrade), then removes itself. Releases the request it
 * refuses. One instance per connection; event loop only.
 */
public final class OriginCheckHandler extends ChannelInboundHandlerAdapter {
    private final Set<String> allowedOrigins;

    /**
     * @param allowedOrigins exact {@code Origin} values (e.g. {@code https://app.example.com});
     *     empty allows all
     */
    public OriginCheckHandler(Set<String> allowedOrigins) {
        this.allowedOrigins = Set.copyOf(allowedOrigins);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ctx.pipeline().remove(this);
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (allowedOrigins.isEmpty() || origin == null || allowedOrigins.contains(origin)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ReferenceCountUtil.release(msg);
        FullHttpResponse response =
                new DefaultFullHttpResponse(
                        request.protocolVersion(), HttpResponseStatus.FORBIDDEN);
        HttpUtil.setContentLength(response, 0);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
