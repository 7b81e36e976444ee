package io.pushbase.comet.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pushbase.comet.message.PushMessage;
import java.nio.charset.StandardCharsets;

/**
 * (Pushbase) The bytes of a Server-Sent Events stream ({@code text/event-stream}, the WHATWG HTML
 * standard's "Server-sent events"; docs/PROTOCOL.md, Server-Sent Events):
 *
 * <ul>
 *   <li>a message: {@code id: <mid>\ndata: <message JSON>\n\n}, the JSON in the client's format
 *       exactly as a WebSocket frame carries it. The id is the mid in decimal, so a browser's
 *       {@code lastEventId} is exact (a JSON number above 2^53 is not) and a reconnect's {@code
 *       Last-Event-ID} resumes after it. The JSON is one line unless the payload holds line breaks
 *       (JSON whitespace: the new format copies the payload verbatim); each CR, LF or CRLF then
 *       starts a further {@code data: } line, and the client's data is the JSON with each of them
 *       as LF — the same JSON value;
 *   <li>a resume's completeness answer: {@code event: resume\ndata: complete\n\n} or {@code ...
 *       truncated}, no id, so it does not move the client's last event id;
 *   <li>a heartbeat: the comment line {@code : h\n\n}, which clients ignore.
 * </ul>
 *
 * Stateless.
 */
public final class SseEvents {
    private static final byte[] ID = ascii("id: ");
    private static final byte[] DATA = ascii("\ndata: ");
    private static final byte[] END = ascii("\n\n");
    private static final byte[] HEARTBEAT = ascii(": h\n\n");
    private static final byte[] RESUME_COMPLETE = ascii("event: resume\ndata: complete\n\n");
    private static final byte[] RESUME_TRUNCATED = ascii("event: resume\ndata: truncated\n\n");
    private static final byte[] ROOM_EVENT = ascii("event: room");

    private SseEvents() {}

    /** A new buffer holding {@code message} as one event; the caller owns it. */
    public static ByteBuf message(ByteBufAllocator alloc, PushMessage message) {
        byte[] json = message.renderJson();
        if (message.room() != null) {
            return roomMessage(alloc, json);
        }
        String mid = Long.toString(message.mid());
        ByteBuf out =
                alloc.buffer(
                        ID.length
                                + mid.length()
                                + DATA.length * (1 + lineBreaks(json))
                                + json.length
                                + END.length);
        out.writeBytes(ID).writeCharSequence(mid, StandardCharsets.US_ASCII);
        out.writeBytes(DATA);
        writeLines(out, json);
        return out.writeBytes(END);
    }

    /**
     * (Pushbase, issue 14) A room message as an event of type {@code room} without an id ({@code
     * event: room\ndata: <JSON with "room">\n\n}): the stream's {@code Last-Event-ID} stays the
     * key's last mid (room mids are another sequence), and a page reads room messages with {@code
     * source.addEventListener("room", ...)}.
     *
     * @param json the room message's JSON ({@code MessageJson.writeRoom})
     */
    public static ByteBuf roomMessage(ByteBufAllocator alloc, byte[] json) {
        return dataEvent(alloc, ROOM_EVENT, json);
    }

    /**
     * (Pushbase) An event of the given {@code event: <type>} line (no id) whose data is {@code
     * text}, each line break of it starting a further {@code data: } line.
     */
    public static ByteBuf dataEvent(ByteBufAllocator alloc, byte[] eventLine, byte[] text) {
        ByteBuf out =
                alloc.buffer(
                        eventLine.length
                                + DATA.length * (1 + lineBreaks(text))
                                + text.length
                                + END.length);
        out.writeBytes(eventLine).writeBytes(DATA);
        writeLines(out, text);
        return out.writeBytes(END);
    }

    /** The CR and LF bytes of {@code text}: an upper bound of the further data lines it takes. */
    private static int lineBreaks(byte[] text) {
        int breaks = 0;
        for (byte b : text) {
            if (b == '\n' || b == '\r') {
                breaks++;
            }
        }
        return breaks;
    }

    /** {@code json}, each line break (CR, LF or CRLF) starting a further {@code data: } line. */
    private static void writeLines(ByteBuf out, byte[] json) {
        int start = 0;
        for (int i = 0; i < json.length; i++) {
            byte b = json[i];
            if (b == '\n' || b == '\r') {
                out.writeBytes(json, start, i - start).writeBytes(DATA);
                if (b == '\r' && i + 1 < json.length && json[i + 1] == '\n') {
                    i++;
                }
                start = i + 1;
            }
        }
        out.writeBytes(json, start, json.length - start);
    }

    /** A new buffer holding the heartbeat comment {@code : h\n\n}. */
    public static ByteBuf heartbeat(ByteBufAllocator alloc) {
        return alloc.buffer(HEARTBEAT.length).writeBytes(HEARTBEAT);
    }

    /**
     * A new buffer holding the stream's form of a reply: the completeness answers as {@code resume}
     * events, {@code +h} as the heartbeat comment.
     *
     * @throws IllegalArgumentException for an error reply: a stream refuses with an HTTP status
     */
    public static ByteBuf reply(ByteBufAllocator alloc, Reply reply) {
        byte[] bytes =
                switch (reply) {
                    case HEARTBEAT -> HEARTBEAT;
                    case RESUME_COMPLETE -> RESUME_COMPLETE;
                    case RESUME_TRUNCATED -> RESUME_TRUNCATED;
                    case PARAM, AUTH, CHANNEL, NODE ->
                            throw new IllegalArgumentException("not a stream event: " + reply);
                };
        return alloc.buffer(bytes.length).writeBytes(bytes);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
