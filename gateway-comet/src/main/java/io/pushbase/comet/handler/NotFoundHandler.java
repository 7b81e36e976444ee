package io.pushbase.comet.handler;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;

/**
 * Answers an HTTP request on the WebSocket port that is not a subscribe handshake (another path, or
 * one the HTTP decoder could not parse within its limits) with {@code 404 Not Found} or {@code 400
 * Bad Request}, and closes. The comet serves nothing else on that port. Releases the request;
 * passes other messages on. Stateless; one instance per connection for simplicity.
 */
public final class NotFoundHandler extends ChannelInboundHandlerAdapter {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        HttpResponseStatus status =
                request.decoderResult().isFailure()
                        ? HttpResponseStatus.BAD_REQUEST
                        : HttpResponseStatus.NOT_FOUND;
        ReferenceCountUtil.release(msg);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status);
        HttpUtil.setContentLength(response, 0);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
