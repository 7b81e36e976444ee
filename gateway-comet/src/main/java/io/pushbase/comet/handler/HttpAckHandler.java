package io.pushbase.comet.handler;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import io.pushbase.comet.ack.AckCommand;
import io.pushbase.comet.ack.Acks;
import io.pushbase.comet.codec.AckRefusal;
import io.pushbase.comet.subscription.Admission;
import io.pushbase.comet.subscription.InvalidSubscriptionException;
import java.nio.charset.StandardCharsets;

/**
 * (Pushbase) Acknowledgements over HTTP, for clients that cannot send the {@code ack} command (a
 * Server-Sent Events stream reads nothing after its request): {@code POST
 * /ack?key=&device=&mid=[&token=]} on the WebSocket listener (docs/PROTOCOL.md "Acknowledgements").
 * Sits in front of the Server-Sent Events and WebSocket handlers and takes only requests for
 * {@value #PATH} (when acks are on); any other request passes on and this handler leaves the
 * pipeline.
 *
 * <p>The same rules as the command — the key rule, the device rule, the mid — and the token and
 * ownership rules of a subscription ({@link Acks#gate()}); the ack then goes to the same batcher.
 * Answers, each {@code text/plain} with {@code Connection: close}, then a close (one ack per
 * connection, so the rate bound is the listener's own):
 *
 * <ul>
 *   <li>{@code 202} taken (a later refusal by the message nodes — a mid never issued, too many
 *       devices — is counted in {@code comet.acks.*}, with no one to tell);
 *   <li>{@code 400 -k <problem>} a rule broken; {@code 403 -a token rejected}; {@code 409 -n ...}
 *       not this comet's key; {@code 503 -k busy ...} the batcher full ({@code Retry-After: 1});
 *   <li>{@code 405} a method other than POST ({@code Allow: POST}).
 * </ul>
 *
 * With an {@code Origin} (the origin check in front let it through) every answer carries {@code
 * Access-Control-Allow-Origin} with it: a POST without a body or custom headers needs no CORS
 * preflight. One instance per connection; event loop only.
 */
public final class HttpAckHandler extends ChannelInboundHandlerAdapter {
    /** The path of acknowledgements on the WebSocket listener. */
    public static final String PATH = "/ack";

    private final Acks acks;

    public HttpAckHandler(Acks acks) {
        this.acks = acks;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (!acks.enabled() || request.decoderResult().isFailure() || !isAckPath(request.uri())) {
            ctx.pipeline().remove(this);
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            FullHttpResponse response = answer(request);
            String origin = request.headers().get(HttpHeaderNames.ORIGIN);
            if (origin != null) {
                response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
                response.headers().set(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
            }
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private static boolean isAckPath(String uri) {
        return uri.startsWith(PATH)
                && (uri.length() == PATH.length() || uri.charAt(PATH.length()) == '?');
    }

    private FullHttpResponse answer(HttpRequest request) {
        if (!HttpMethod.POST.equals(request.method())) {
            FullHttpResponse response =
                    response(request, HttpResponseStatus.METHOD_NOT_ALLOWED, "only POST\n");
            response.headers().set(HttpHeaderNames.ALLOW, HttpMethod.POST.name());
            return response;
        }
        AckCommand ack;
        String token;
        try {
            QueryParameters params = QueryParameters.of(request.uri());
            ack = AckCommand.parse(params.bytes("key"), params.utf8("device"), params.utf8("mid"));
            token = params.utf8("token") == null ? "" : params.utf8("token");
        } catch (InvalidSubscriptionException e) {
            acks.metrics().rejected(AckCommand.Rule.PARAM).inc();
            return refusal(request, HttpResponseStatus.BAD_REQUEST, e.getMessage());
        } catch (AckCommand.Invalid e) {
            acks.metrics().rejected(e.rule()).inc();
            return refusal(request, HttpResponseStatus.BAD_REQUEST, e.getMessage());
        }
        Admission admission = acks.gate().check(ack.key(), token);
        if (admission == Admission.REJECT_AUTH) {
            return response(request, HttpResponseStatus.FORBIDDEN, "-a token rejected\n");
        }
        if (admission != Admission.OK) {
            return response(
                    request,
                    HttpResponseStatus.CONFLICT,
                    "-n this key does not belong to this comet: look its comet up again\n");
        }
        // A later refusal by the message nodes is counted by the batcher; no one is left to tell.
        if (!acks.batcher().offer(ack.key(), ack.device(), ack.mid(), problem -> {})) {
            acks.metrics().rejectedQueueFull().inc();
            FullHttpResponse busy =
                    refusal(
                            request,
                            HttpResponseStatus.SERVICE_UNAVAILABLE,
                            "busy: acks are waiting on this comet, ack again later");
            busy.headers().set(HttpHeaderNames.RETRY_AFTER, 1);
            return busy;
        }
        return response(request, HttpResponseStatus.ACCEPTED, "");
    }

    private static FullHttpResponse refusal(
            HttpRequest request, HttpResponseStatus status, String problem) {
        // The -k line without its CRLF, then a newline, as the other text answers of the listener.
        String text = AckRefusal.text(problem);
        return response(request, status, text.substring(0, text.length() - 2) + "\n");
    }

    private static FullHttpResponse response(
            HttpRequest request, HttpResponseStatus status, String text) {
        FullHttpResponse response =
                new DefaultFullHttpResponse(
                        request.protocolVersion(),
                        status,
                        Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        HttpHeaders headers = response.headers();
        headers.set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        if (!text.isEmpty()) {
            headers.set("X-Pushbase-Error", text.strip());
        }
        HttpUtil.setContentLength(response, response.content().readableBytes());
        return response;
    }
}
