package io.pushbase.comet.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes a subscribed WebSocket client's frames: a text frame whose payload is exactly {@code h}
 * is a {@link Heartbeat}; (Pushbase) a final text frame whose payload starts with {@code *} holds
 * exactly one RESP request, the same bytes as on TCP (docs/PROTOCOL.md "Acknowledgements"), emitted
 * as a {@link RespRequest}. Any other data frame (other text, binary, a fragmented message, a
 * request that is incomplete or followed by more bytes) throws {@link RespDecoderException}, and
 * the connection is closed without a reply, as on TCP. Control frames never get here: Netty's
 * WebSocket protocol handler answers pings and closes.
 *
 * <p>Every frame is released here (the base class does it after decoding). Stateless per frame; one
 * instance per connection for clarity, event loop only.
 */
public final class WebSocketHeartbeatDecoder extends MessageToMessageDecoder<WebSocketFrame> {
    private final int maxBulkLength;
    private final int maxLineLength;

    /** Commands decoded with the default limits of the TCP {@code sub} request. */
    public WebSocketHeartbeatDecoder() {
        this(
                RespRequestDecoder.DEFAULT_MAX_BULK_LENGTH,
                RespRequestDecoder.DEFAULT_MAX_LINE_LENGTH);
    }

    /** Commands decoded with these limits (see {@link RespRequestDecoder}). */
    public WebSocketHeartbeatDecoder(int maxBulkLength, int maxLineLength) {
        super(WebSocketFrame.class);
        this.maxBulkLength = maxBulkLength;
        this.maxLineLength = maxLineLength;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, WebSocketFrame frame, List<Object> out) {
        ByteBuf content = frame.content();
        if (frame instanceof TextWebSocketFrame && frame.isFinalFragment()) {
            if (content.readableBytes() == 1 && content.getByte(content.readerIndex()) == 'h') {
                out.add(Heartbeat.INSTANCE);
                return;
            }
            if (content.isReadable() && content.getByte(content.readerIndex()) == '*') {
                // Decoded aside: a frame that is not exactly one request passes nothing on.
                List<Object> request = new ArrayList<>(1);
                new RespRequestDecoder(maxBulkLength, maxLineLength).decode(ctx, content, request);
                if (request.isEmpty() || content.isReadable()) {
                    throw new RespDecoderException(
                            request.isEmpty()
                                    ? "an incomplete request in a text frame"
                                    : "bytes after the request in a text frame");
                }
                out.add(request.get(0));
                return;
            }
        }
        throw new RespDecoderException(
                "expected a text frame \"h\" or a request but got "
                        + frame.getClass().getSimpleName()
                        + " of "
                        + content.readableBytes()
                        + " bytes");
    }
}
