package io.pushbase.comet.message;

import io.pushbase.schema.client.MessageFormat;
import io.pushbase.schema.client.MessageJson;
import java.util.Arrays;
import java.util.Objects;

/**
 * One message on its way to one connection: what a {@code Subscriber} writes into its channel and
 * the transport's encoder turns into bytes ({@code $len\r\n<json>\r\n} on TCP, a text frame on
 * WebSocket).
 *
 * <p>Not reference counted: the payload is a plain array, shared by every connection the message
 * goes to and never modified, so nothing has to be released whether the write succeeds, fails or is
 * dropped with a closing channel.
 *
 * @param mid the message id
 * @param payload the pushed message, valid non-empty JSON as it was pushed (UTF-8); owned by the
 *     caller, who must not modify it afterwards
 * @param format the subscriber's message format
 * @param room (Pushbase, issue 14) the room the message was pushed to, rendered as the JSON's last
 *     field {@code "room"} ({@link MessageJson#writeRoom}); null for a key's message
 */
public record PushMessage(long mid, byte[] payload, MessageFormat format, String room) {

    /** A key's message (no room). */
    public PushMessage(long mid, byte[] payload, MessageFormat format) {
        this(mid, payload, format, null);
    }

    public PushMessage {
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(format, "format");
        if (payload.length == 0) {
            // An empty payload would render {"msg":,...}: not JSON at all.
            throw new IllegalArgumentException("payload must not be empty");
        }
    }

    /** Exact length of {@link MessageJson#write rendered} JSON, in bytes. */
    public int jsonLength() {
        return room == null
                ? MessageJson.length(mid, payload, format)
                : MessageJson.roomLength(mid, payload, format, room);
    }

    /** Writes the message JSON ({@link MessageJson#write}, or its room form) into {@code out}. */
    public void writeJson(io.netty.buffer.ByteBuf out) {
        if (room == null) {
            MessageJson.write(out, mid, payload, format);
        } else {
            MessageJson.writeRoom(out, mid, payload, format, room);
        }
    }

    /** The message JSON as a new array. */
    public byte[] renderJson() {
        return room == null
                ? MessageJson.render(mid, payload, format)
                : MessageJson.renderRoom(mid, payload, format, room);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PushMessage m
                && m.mid == mid
                && m.format == format
                && Objects.equals(m.room, room)
                && Arrays.equals(m.payload, payload);
    }

    @Override
    public int hashCode() {
        return ((Long.hashCode(mid) * 31 + Arrays.hashCode(payload)) * 31 + format.hashCode()) * 31
                + Objects.hashCode(room);
    }

    @Override
    public String toString() {
        return "PushMessage{mid="
                + mid
                + ", "
                + payload.length
                + " bytes, "
                + format
                + (room == null ? "" : ", room=" + room)
                + "}";
    }
}
