package io.pushbase.comet.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.charset.StandardCharsets;

/**
 * (Pushbase, issue 14) How a connection's transport frames what the comet writes to it, for the
 * room paths that build a frame once and write it to many connections (docs/PROTOCOL.md "Rooms",
 * the fan-out in docs/ROOMS.md):
 *
 * <ul>
 *   <li>{@link #TCP}: {@code $<len>\r\n<json>\r\n}, as {@link TcpMessageEncoder} frames a message;
 *   <li>{@link #WEBSOCKET}: the whole WebSocket text frame, header included (FIN, opcode 1, the
 *       length; a server's frames are never masked), so it passes the WebSocket frame encoder
 *       untouched: no per-connection header buffer and no copy of the payload into one;
 *   <li>{@link #SSE}: the event {@code event: room\ndata: <json>\n\n} ({@link SseEvents}), wrapped
 *       per connection in an {@code HttpContent} that the HTTP encoder frames as a chunk (the chunk
 *       header is its own small buffer; the event's bytes are not copied).
 * </ul>
 *
 * A frame built by {@link #roomMessage} is read-only shared: each connection gets a {@link
 * ByteBuf#retainedDuplicate()} through {@link #outbound}, released by Netty once written.
 * Stateless.
 */
public enum Framing {
    TCP,
    WEBSOCKET,
    SSE;

    private static final byte[] JOIN_EVENT = "event: join".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LEAVE_EVENT = "event: leave".getBytes(StandardCharsets.US_ASCII);

    /** A new buffer holding the whole frame of a room message whose JSON is {@code json}. */
    public ByteBuf roomMessage(ByteBufAllocator alloc, byte[] json) {
        return switch (this) {
            case TCP -> {
                String length = Integer.toString(json.length);
                ByteBuf out = alloc.buffer(1 + length.length() + 2 + json.length + 2);
                out.writeByte('$').writeCharSequence(length, StandardCharsets.US_ASCII);
                yield out.writeByte('\r')
                        .writeByte('\n')
                        .writeBytes(json)
                        .writeByte('\r')
                        .writeByte('\n');
            }
            case WEBSOCKET -> {
                int n = json.length;
                int header = n < 126 ? 2 : n <= 0xffff ? 4 : 10;
                ByteBuf out = alloc.buffer(header + n);
                out.writeByte(0x81); // FIN, text
                if (n < 126) {
                    out.writeByte(n);
                } else if (n <= 0xffff) {
                    out.writeByte(126).writeShort(n);
                } else {
                    out.writeByte(127).writeLong(n);
                }
                yield out.writeBytes(json);
            }
            case SSE -> SseEvents.roomMessage(alloc, json);
        };
    }

    /**
     * What to write on a connection for a shared frame of {@link #roomMessage}: a retained
     * duplicate (the caller keeps its own reference), as an {@code HttpContent} on a stream.
     */
    public Object outbound(ByteBuf frame) {
        ByteBuf mine = frame.retainedDuplicate();
        return this == SSE ? new DefaultHttpContent(mine) : mine;
    }

    /**
     * A room reply as written on the connection: the line's bytes on TCP, one text frame on
     * WebSocket, an event on a stream ({@code event: join\ndata: <room>[ complete|truncated]}, or
     * {@code event: leave}); a refusal never goes on a stream (it is refused with an HTTP status).
     */
    public Object reply(ByteBufAllocator alloc, RoomReply reply) {
        byte[] text = reply.text().getBytes(StandardCharsets.US_ASCII);
        return switch (this) {
            case TCP -> alloc.buffer(text.length).writeBytes(text);
            case WEBSOCKET -> new TextWebSocketFrame(alloc.buffer(text.length).writeBytes(text));
            case SSE -> {
                if (reply.isRefusal()) {
                    throw new IllegalArgumentException("not a stream event: " + reply);
                }
                byte[] data = reply.data().getBytes(StandardCharsets.US_ASCII);
                yield new DefaultHttpContent(
                        SseEvents.dataEvent(
                                alloc,
                                reply.text().startsWith("+l") ? LEAVE_EVENT : JOIN_EVENT,
                                data));
            }
        };
    }
}
