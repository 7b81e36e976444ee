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
 * exactly one RESP request, the same bytes as on TCP (docs/PROTOCOL.md "Acknowledgements",
 * "Rooms"), emitted as a {@link RespRequest}; (Pushbase) a text frame of words, {@code join lobby}
 * or {@code join lobby 17952546363411610} or {@code leave lobby}, is a command, emitted as a {@link
 * RespRequest} of those words (docs/PROTOCOL.md "Rooms"). Any other data frame (other text, binary,
 * a fragmented message, a request that is incomplete or followed by more bytes) throws {@link
 * RespDecoderException}, and the connection is closed without a reply, as on TCP. Control frames
 * never get here: Netty's WebSocket protocol handler answers pings and closes.
 *
 * <p>Every frame is released here (the base class does it after decoding). Stateless per frame; one
 * instance per connection for clarity, event loop only.
 */
public final class WebSocketHeartbeatDecoder extends MessageToMessageDecoder<WebSocketFrame> {
    private final int maxBulkLength;
    private final int maxLineLength;

    /** (Pushbase) Longest command frame: {@code join}, a 128-byte room and a 19-digit since. */
    public static final int MAX_COMMAND_LENGTH = 256;

    /**
     * (Pushbase) A command frame of words ({@code join <room> [<since>]}, {@code leave <room>}):
     * printable ASCII words separated by single spaces, 1 to {@value CommandDecoder#MAX_ARGS} of
     * them, the first lower-case letters; null for anything else (which closes the connection). A
     * frame starting with {@code *} never gets here: {@link #decode} reads it as a RESP request.
     */
    static RespRequest command(ByteBuf text) {
        List<byte[]> words = new ArrayList<>(CommandDecoder.MAX_ARGS);
        int start = text.readerIndex();
        int end = text.writerIndex();
        int from = start;
        for (int i = start; i <= end; i++) {
            byte b = i < end ? text.getByte(i) : (byte) ' ';
            if (b == ' ') {
                if (i == from || words.size() == CommandDecoder.MAX_ARGS) {
                    return null; // an empty word, or too many
                }
                byte[] word = new byte[i - from];
                text.getBytes(from, word);
                words.add(word);
                from = i + 1;
            } else if (b < 0x21 || b > 0x7e) {
                return null;
            }
        }
        for (byte b : words.get(0)) {
            if (b < 'a' || b > 'z') {
                return null;
            }
        }
        return new RespRequest(words);
    }

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
                // The TCP form, with the sub request's limits: a frame that is not exactly one
                // request passes nothing on.
                RespRequest request =
                        new RespArrayParser(
                                        RespRequestDecoder.MAX_ARGS, maxBulkLength, maxLineLength)
                                .read(content);
                if (request == null || content.isReadable()) {
                    throw new RespDecoderException(
                            request == null
                                    ? "an incomplete request in a text frame"
                                    : "bytes after the request in a text frame");
                }
                out.add(request);
                return;
            }
        }
        if (frame instanceof TextWebSocketFrame
                && frame.isFinalFragment()
                && frame.content().readableBytes() <= MAX_COMMAND_LENGTH) {
            RespRequest command = command(frame.content());
            if (command != null) {
                out.add(command);
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
