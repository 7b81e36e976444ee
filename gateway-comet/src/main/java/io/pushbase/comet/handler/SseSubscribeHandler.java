package io.pushbase.comet.handler;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import io.pushbase.comet.codec.Framing;
import io.pushbase.comet.codec.Reply;
import io.pushbase.comet.codec.RoomReply;
import io.pushbase.comet.codec.SseEvents;
import io.pushbase.comet.codec.SseMessageEncoder;
import io.pushbase.comet.connection.ConnectionMetrics;
import io.pushbase.comet.connection.ConnectionSettings;
import io.pushbase.comet.replay.Replayer;
import io.pushbase.comet.room.RoomJoins;
import io.pushbase.comet.subscription.InvalidSubscriptionException;
import io.pushbase.comet.subscription.Subscription;
import io.pushbase.comet.subscription.SubscriptionGate;
import io.pushbase.comet.subscription.SubscriptionParser;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * (Pushbase) Subscribes a Server-Sent Events client: {@code GET /sse?key=&token=&ver=[&since=]}
 * (the path is {@link ConnectionSettings#ssePath()}) on the WebSocket listener, optionally with a
 * {@code Last-Event-ID} header (docs/PROTOCOL.md, Server-Sent Events). Sits in front of the
 * WebSocket protocol handler and takes only requests for its path; any other request passes on and
 * this handler leaves the pipeline.
 *
 * <p>The same rules, gate and replay as WebSocket ({@link Admitter}); {@code heartbeat} is not a
 * parameter (the comet sends the heartbeats). {@code since} is the {@code Last-Event-ID} header
 * when the request carries a non-empty one (it is the last event the client actually received: an
 * EventSource reconnecting repeats the URL it was opened with), else the {@code since} parameter;
 * both follow the {@code since} rule. (Issue 15) {@code since=@<device>} resumes after the device's
 * cursor, as on WebSocket; a {@code Last-Event-ID} in that form is refused (an event id is a mid).
 * Answers:
 *
 * <ul>
 *   <li>admitted: {@code 200}, {@code Content-Type: text/event-stream}, {@code Cache-Control:
 *       no-cache}, {@code X-Accel-Buffering: no}, chunked (HTTP/1.0: until the close), and at once
 *       a heartbeat comment; then events ({@link SseEvents}). The pipeline becomes {@code http,
 *       aggregator, sseEncoder, sseStream, errors}: the WebSocket handlers leave;
 *   <li>refused: {@code 400} bad parameters ({@code -p}), {@code 403} token rejected ({@code -a}),
 *       {@code 429} channel refused ({@code -c}), {@code 409} not this comet's key ({@code -n}),
 *       each with a {@code text/plain} body naming the reply and the problem (and the same text in
 *       {@code X-Pushbase-Error}), then a close. An EventSource does not reconnect after a status
 *       other than 200;
 *   <li>a method other than GET: {@code 405}, {@code Allow: GET}, close.
 * </ul>
 *
 * With an {@code Origin} (the origin check in front has let it through), every answer carries
 * {@code Access-Control-Allow-Origin} with it, so a page of another origin may read the stream.
 *
 * <p>One instance per connection; event loop only.
 */
public final class SseSubscribeHandler extends ChannelInboundHandlerAdapter
        implements Admitter.Transport {
    /** The request header an EventSource resumes with. */
    public static final String LAST_EVENT_ID = "Last-Event-ID";

    static final String TEXT_EVENT_STREAM = "text/event-stream";
    private static final int MAX_ERROR_HEADER = 300;
    private static final SseMessageEncoder ENCODER = new SseMessageEncoder();

    private final ConnectionSettings settings;
    private final SubscriptionParser parser;
    private final Admitter admitter;
    private final ConnectionMetrics metrics;
    // The request being answered: its HTTP version and Origin shape the response.
    private HttpVersion version = HttpVersion.HTTP_1_1;
    private String origin;

    public SseSubscribeHandler(
            ConnectionSettings settings,
            SubscriptionGate gate,
            Replayer replayer,
            ConnectionMetrics metrics) {
        this(settings, gate, replayer, metrics, RoomJoins.standalone(replayer));
    }

    /**
     * @param rooms (Pushbase) the comet's rooms, joined at subscribe ({@code room=}, repeatable); a
     *     stream sends no commands, so it cannot join or leave later
     */
    public SseSubscribeHandler(
            ConnectionSettings settings,
            SubscriptionGate gate,
            Replayer replayer,
            ConnectionMetrics metrics,
            RoomJoins rooms) {
        this.settings = settings;
        this.parser = rooms.parser(settings.minHeartbeatSeconds());
        this.admitter = new Admitter(gate, replayer, settings, metrics, rooms);
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (request.decoderResult().isFailure() || !isSsePath(request.uri())) {
            // A WebSocket handshake (or a request the handlers behind answer 404 / 400): the
            // connection is not a stream, and its pipeline is WebSocket's alone from now on.
            ctx.pipeline().remove(this);
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            version = request.protocolVersion();
            origin = request.headers().get(HttpHeaderNames.ORIGIN);
            if (!HttpMethod.GET.equals(request.method())) {
                FullHttpResponse response =
                        response(HttpResponseStatus.METHOD_NOT_ALLOWED, "only GET\n");
                response.headers().set(HttpHeaderNames.ALLOW, HttpMethod.GET.name());
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            subscribe(ctx, request);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private boolean isSsePath(String uri) {
        String path = settings.ssePath();
        return uri.startsWith(path)
                && (uri.length() == path.length() || uri.charAt(path.length()) == '?');
    }

    private void subscribe(ChannelHandlerContext ctx, HttpRequest request) {
        Subscription subscription;
        try {
            QueryParameters params = QueryParameters.of(request.uri());
            String lastEventId = request.headers().get(LAST_EVENT_ID);
            boolean fromHeader = lastEventId != null && !lastEventId.isEmpty();
            if (fromHeader && lastEventId.startsWith(SubscriptionParser.DEVICE_MARK)) {
                // An event id is a mid; the device form is the since= parameter's alone.
                throw InvalidSubscriptionException.badSince(
                        LAST_EVENT_ID
                                + " header: an event id is a mid, not a device (use since=@<device>)");
            }
            try {
                subscription =
                        parser.parse(
                                params.bytes("key"),
                                // No client heartbeat: the comet sends them. Any valid value will
                                // do; nothing reads it for a stream.
                                Integer.toString(settings.minHeartbeatSeconds()),
                                params.utf8("token"),
                                params.utf8("ver"),
                                fromHeader ? lastEventId : params.utf8("since"),
                                params.allUtf8("room"));
            } catch (InvalidSubscriptionException e) {
                if (fromHeader && e.rule() == InvalidSubscriptionException.Rule.SINCE) {
                    throw InvalidSubscriptionException.badSince(
                            LAST_EVENT_ID + " header: " + e.getMessage());
                }
                throw e;
            }
        } catch (InvalidSubscriptionException e) {
            admitter.refuseInvalid(ctx, e, this);
            return;
        }
        admitter.admit(ctx, subscription, this);
    }

    /** Admission: the stream's head and its first heartbeat comment. */
    @Override
    public ChannelFuture write(ChannelHandlerContext ctx, Reply reply) {
        if (reply != Reply.HEARTBEAT) {
            return ctx.writeAndFlush(frame(ctx.alloc(), reply));
        }
        HttpResponse head = new DefaultHttpResponse(version, HttpResponseStatus.OK);
        HttpHeaders headers = head.headers();
        headers.set(HttpHeaderNames.CONTENT_TYPE, TEXT_EVENT_STREAM);
        headers.set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        // nginx and others buffer a response unless told not to.
        headers.set("X-Accel-Buffering", "no");
        if (version.isKeepAliveDefault()) {
            HttpUtil.setTransferEncodingChunked(head, true);
        } else {
            // HTTP/1.0: the body runs until the close.
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        allowOrigin(headers);
        ctx.write(head);
        return ctx.writeAndFlush(frame(ctx.alloc(), reply));
    }

    @Override
    public ChannelFuture refuse(ChannelHandlerContext ctx, Reply reply, String reason) {
        String text =
                switch (reply) {
                    case PARAM -> "-p bad parameters: " + reason;
                    case AUTH -> "-a token rejected";
                    case CHANNEL -> "-c channel refused: the key has its most subscribers";
                    case NODE ->
                            "-n this key does not belong to this comet: look its comet up again";
                    case HEARTBEAT, RESUME_COMPLETE, RESUME_TRUNCATED ->
                            throw new IllegalArgumentException("not a refusal: " + reply);
                };
        return ctx.writeAndFlush(response(status(reply), text + "\n"));
    }

    /**
     * (Pushbase) A refusal because of a room: the status of {@code reply}, the body naming the room
     * and why ({@code -j <room> <reason>: <problem>}), nothing else.
     */
    @Override
    public ChannelFuture refuseRoom(
            ChannelHandlerContext ctx, RoomReply roomReply, Reply reply, String reason) {
        String text = roomReply.toString();
        if (!reason.equals(text)) {
            text = text + ": " + reason;
        }
        return ctx.writeAndFlush(response(status(reply), text + "\n"));
    }

    @Override
    public Framing framing() {
        return Framing.SSE;
    }

    /** The status of each refusal. */
    static HttpResponseStatus status(Reply reply) {
        return switch (reply) {
            case PARAM -> HttpResponseStatus.BAD_REQUEST;
            case AUTH -> HttpResponseStatus.FORBIDDEN;
            case CHANNEL -> HttpResponseStatus.TOO_MANY_REQUESTS;
            case NODE -> HttpResponseStatus.CONFLICT;
            case HEARTBEAT, RESUME_COMPLETE, RESUME_TRUNCATED ->
                    throw new IllegalArgumentException("not a refusal: " + reply);
        };
    }

    /** A resume answer (from the replay) or a heartbeat comment, as a piece of the body. */
    @Override
    public Object frame(ByteBufAllocator alloc, Reply reply) {
        return new DefaultHttpContent(SseEvents.reply(alloc, reply));
    }

    /**
     * After the head: the WebSocket handlers behind this one leave, this one becomes the {@link
     * SseStreamHandler} with the {@link SseMessageEncoder} in front of it.
     */
    @Override
    public void switchToHeartbeats(ChannelHandlerContext ctx, Subscription subscription) {
        ChannelPipeline pipeline = ctx.pipeline();
        List<String> names = pipeline.names();
        for (String name : names.subList(names.indexOf(ctx.name()) + 1, names.size())) {
            if (!name.equals(WebSocketInitializer.ERRORS) && pipeline.get(name) != null) {
                pipeline.remove(name);
            }
        }
        pipeline.replace(
                this,
                WebSocketInitializer.SSE_STREAM,
                new SseStreamHandler(settings.sseHeartbeat(), metrics));
        pipeline.addBefore(
                WebSocketInitializer.SSE_STREAM, WebSocketInitializer.SSE_ENCODER, ENCODER);
    }

    private FullHttpResponse response(HttpResponseStatus status, String text) {
        FullHttpResponse response =
                new DefaultFullHttpResponse(
                        version, status, Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
        HttpHeaders headers = response.headers();
        headers.set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        headers.set("X-Pushbase-Error", errorHeader(text));
        HttpUtil.setContentLength(response, response.content().readableBytes());
        allowOrigin(headers);
        return response;
    }

    private void allowOrigin(HttpHeaders headers) {
        if (origin != null) {
            headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            headers.set(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
        }
    }

    /** Printable ASCII, at most {@value #MAX_ERROR_HEADER} characters (as the web node's). */
    private static String errorHeader(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_ERROR_HEADER));
        for (int i = 0; i < text.length() && out.length() < MAX_ERROR_HEADER; i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c < 0x7f) {
                out.append(c);
            } else if (c != '\n') {
                out.append('?');
            }
        }
        return out.toString();
    }
}
