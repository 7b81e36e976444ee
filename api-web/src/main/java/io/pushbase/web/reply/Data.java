package io.pushbase.web.reply;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.pushbase.schema.client.MessageFormat;
import io.pushbase.schema.client.MessageJson;
import io.pushbase.schema.message.v1.StoredMessage;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The {@code data} objects of the HTTP API, rendered byte for byte as gopush-cluster's Go encoder
 * rendered them (sorted keys, no spaces, Go's string escaping via {@link MessageJson}). Messages
 * are never re-serialised: the payload goes out exactly as it was pushed. Stateless.
 */
public final class Data {
    private Data() {}

    /** {@code {"server":"host:port"}}. */
    public static byte[] server(String address) {
        return stringObject("server", address);
    }

    /** {@code {"server":["host:port",...]}}. */
    public static byte[] servers(List<String> addresses) {
        return stringsObject("server", addresses);
    }

    /** {@code {"timeid":N}}. */
    public static byte[] timeId(long mid) {
        ByteBuf out = Unpooled.buffer();
        field(out, "timeid");
        out.writeCharSequence(Long.toString(mid), StandardCharsets.US_ASCII);
        return close(out);
    }

    /**
     * {@code /1/msg/get}: {@code {"msgs":[{"msg":<payload>,"mid":N,"gid":0},...]}}, each element
     * the new message format.
     */
    public static byte[] messages(List<StoredMessage> messages) {
        return messages(messages, MessageFormat.NEW);
    }

    /**
     * {@code /1/msg/get} in {@code format}: {@link MessageFormat#NEW}, or (Pushbase) {@link
     * MessageFormat#EXACT} for a pull with {@code ver=pushbase.1}, whose elements carry {@code
     * "mid":"N"}.
     */
    public static byte[] messages(List<StoredMessage> messages, MessageFormat format) {
        ByteBuf out = Unpooled.buffer();
        field(out, "msgs");
        array(
                out,
                messages,
                (o, m) -> MessageJson.write(o, m.getMid(), m.getPayload().toByteArray(), format));
        return close(out);
    }

    /**
     * (Pushbase, issue 14) A room's pull: {@code
     * {"msgs":[{"msg":..,"mid":..,"gid":0,"room":"<room>"},...]}}, each element the room message a
     * comet writes to a member ({@link MessageJson#writeRoom}) in {@code format}.
     */
    public static byte[] roomMessages(
            String room, List<StoredMessage> messages, MessageFormat format) {
        ByteBuf out = Unpooled.buffer();
        field(out, "msgs");
        array(
                out,
                messages,
                (o, m) ->
                        MessageJson.writeRoom(
                                o, m.getMid(), m.getPayload().toByteArray(), format, room));
        return close(out);
    }

    /**
     * {@code /msg/get}: {@code {"msgs":["<old message JSON>",...],"pmsgs":[]}}, each element the
     * old message format as a JSON string (so its payload is escaped twice, as gopush-cluster did).
     */
    public static byte[] oldMessages(List<StoredMessage> messages) {
        return oldMessages(messages, MessageFormat.OLD);
    }

    /**
     * {@code /msg/get} with each element the message JSON of {@code format} as a JSON string:
     * {@link MessageFormat#OLD}, or (Pushbase) {@link MessageFormat#EXACT} for a pull with {@code
     * ver=pushbase.1} (the route's shape kept; each string parses to {@code "mid":"N"}).
     */
    public static byte[] oldMessages(List<StoredMessage> messages, MessageFormat format) {
        ByteBuf out = Unpooled.buffer();
        field(out, "msgs");
        array(
                out,
                messages,
                (o, m) ->
                        MessageJson.writeString(
                                o,
                                MessageJson.render(
                                        m.getMid(), m.getPayload().toByteArray(), format)));
        out.writeBytes(ascii(",\"pmsgs\":[]"));
        return close(out);
    }

    /**
     * (Pushbase) The opt-in completeness answer of a pull: {@code data} with {@code
     * "complete":true|false} as its first field (keys stay sorted, as Go's encoder sorts them), or
     * {@code {"complete":...}} alone when the pull has nothing.
     *
     * @param data a {@code {...}} object of this class, or null
     */
    public static byte[] withComplete(boolean complete, byte[] data) {
        byte[] field = ascii("{\"complete\":" + complete);
        if (data == null) {
            byte[] out = Arrays.copyOf(field, field.length + 1);
            out[field.length] = '}';
            return out;
        }
        // data is "{" + fields + "}": splice "complete" in front of its fields.
        byte[] out = Arrays.copyOf(field, field.length + 1 + data.length - 1);
        out[field.length] = ',';
        System.arraycopy(data, 1, out, field.length + 1, data.length - 1);
        return out;
    }

    /** {@code {"fk":["key",...]}}: the keys a multi-key push failed for. */
    public static byte[] failedKeys(List<String> keys) {
        return stringsObject("fk", keys);
    }

    /**
     * (Pushbase) A push with an idempotency key: {@code {"duplicate":false,"mid":"<mid>"}}, the mid
     * as a string (exact in JavaScript, as every mid the admin API answers); {@code duplicate} true
     * when the push was a retry of one acknowledged before, whose mid this is.
     */
    public static byte[] pushed(long mid, boolean duplicate) {
        return ascii("{\"duplicate\":" + duplicate + ",\"mid\":\"" + mid + "\"}");
    }

    /** {@code {"token":"..."}} (Pushbase). */
    public static byte[] token(String token) {
        return stringObject("token", token);
    }

    /** {@code {"<name>":"<value>"}}. */
    private static byte[] stringObject(String name, String value) {
        ByteBuf out = Unpooled.buffer();
        field(out, name);
        string(out, value);
        return close(out);
    }

    /** {@code {"<name>":["<value>",...]}}. */
    private static byte[] stringsObject(String name, List<String> values) {
        ByteBuf out = Unpooled.buffer();
        field(out, name);
        array(out, values, Data::string);
        return close(out);
    }

    private static void field(ByteBuf out, String name) {
        out.writeByte('{');
        string(out, name);
        out.writeByte(':');
    }

    private static void string(ByteBuf out, String value) {
        MessageJson.writeString(out, value.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code [e1,e2,...]}, each element written by {@code element}. */
    private static <T> void array(ByteBuf out, List<T> values, BiConsumer<ByteBuf, T> element) {
        out.writeByte('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                out.writeByte(',');
            }
            element.accept(out, values.get(i));
        }
        out.writeByte(']');
    }

    private static byte[] close(ByteBuf out) {
        out.writeByte('}');
        byte[] json = new byte[out.readableBytes()];
        out.readBytes(json);
        return json;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
