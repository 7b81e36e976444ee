package io.pushbase.schema.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * Renders the message JSON of docs/PROTOCOL.md section 3 without parsing or re-serialising the
 * payload:
 *
 * <ul>
 *   <li>{@link MessageFormat#NEW}: {@code {"msg":<payload>,"mid":<mid>,"gid":0}}, the payload
 *       copied verbatim;
 *   <li>{@link MessageFormat#OLD}: {@code {"msg":"<payload as a JSON
 *       string>","mid":<mid>,"gid":0}};
 *   <li>(Pushbase) {@link MessageFormat#EXACT}: {@code {"msg":<payload>,"mid":"<mid>","gid":0}}, as
 *       the new format but with the mid as a decimal string, which JavaScript reads exactly.
 * </ul>
 *
 * <p>The old format's string is escaped exactly as gopush-cluster's Go {@code json.Marshal} of a
 * {@code string} did (its {@code OldMessage}), so old clients see the bytes they always saw: {@code
 * "} and {@code \} as {@code \"} and {@code \\}; {@code \n}, {@code \r}, {@code \t} as short
 * escapes; every other control character below U+0020 (including backspace and form feed, as Go did
 * before 1.22) as {@code \}{@code u00xx} with lower-case hex; {@code <}, {@code >}, {@code &} as
 * {@code \}{@code u003c}, {@code \}{@code u003e}, {@code \}{@code u0026} (Go's HTML-safe escaping);
 * U+2028 and U+2029 as {@code \}{@code u2028}, {@code \}{@code u2029}; each byte that is not part
 * of valid UTF-8 as {@code \}{@code ufffd}; everything else (DEL and all valid non-ASCII characters
 * included) copied as is. The result is always valid JSON whose {@code msg} string parses back to
 * the payload when the payload is valid UTF-8.
 *
 * <p>A payload the new format cannot embed as it is — empty, starting with a UTF-8 byte-order mark,
 * not valid UTF-8, or holding a control byte JSON forbids outside strings (below U+0020 other than
 * tab, line feed and carriage return, which UTF-16 and UTF-32 text always has) — is written as a
 * JSON string instead, escaped as above. Web nodes refuse such pushes (issue 13), but a message
 * stored before they did must not make every later frame or pull of its key invalid JSON: it
 * reaches clients as a string, and everything around it stays readable.
 *
 * <p>Stateless and thread-safe. Nothing here retains the payload.
 */
public final class MessageJson {
    private static final byte[] MSG_FIELD = ascii("{\"msg\":");
    private static final byte[] MID_FIELD = ascii(",\"mid\":");
    private static final byte[] GID_ZERO_END = ascii(",\"gid\":0}");
    private static final byte[] GID_ZERO_ROOM = ascii(",\"gid\":0,\"room\":\"");
    private static final byte[] HEX = ascii("0123456789abcdef");
    private static final int FIXED_LENGTH =
            MSG_FIELD.length + MID_FIELD.length + GID_ZERO_END.length;

    /** How an ASCII byte appears inside the old format's string: 0 copy, else its escape length. */
    private static final byte[] ASCII_ESCAPE = new byte[0x80];

    static {
        for (int c = 0; c < 0x20; c++) {
            ASCII_ESCAPE[c] = 6; // backslash, u, four hex digits
        }
        ASCII_ESCAPE['\n'] = 2;
        ASCII_ESCAPE['\r'] = 2;
        ASCII_ESCAPE['\t'] = 2;
        ASCII_ESCAPE['"'] = 2;
        ASCII_ESCAPE['\\'] = 2;
        ASCII_ESCAPE['<'] = 6;
        ASCII_ESCAPE['>'] = 6;
        ASCII_ESCAPE['&'] = 6;
    }

    private MessageJson() {}

    /** Exact number of bytes {@link #write} produces for these arguments. */
    public static int length(long mid, byte[] payload, MessageFormat format) {
        int msg =
                format.rawPayload() && embeddable(payload) ? payload.length : stringLength(payload);
        int quotes = format == MessageFormat.EXACT ? 2 : 0;
        return FIXED_LENGTH + msg + decimalLength(mid) + quotes;
    }

    /**
     * Appends the message JSON to {@code out}, which must have room for (or be able to grow by)
     * {@link #length} bytes. Does not change {@code out}'s reference count.
     */
    public static void write(ByteBuf out, long mid, byte[] payload, MessageFormat format) {
        out.writeBytes(MSG_FIELD);
        if (format.rawPayload() && embeddable(payload)) {
            out.writeBytes(payload);
        } else {
            writeString(out, payload);
        }
        out.writeBytes(MID_FIELD);
        // A decimal string needs no escaping: the quotes are all EXACT adds.
        boolean quoted = format == MessageFormat.EXACT;
        if (quoted) {
            out.writeByte('"');
        }
        out.writeCharSequence(Long.toString(mid), StandardCharsets.US_ASCII);
        if (quoted) {
            out.writeByte('"');
        }
        out.writeBytes(GID_ZERO_END);
    }

    /**
     * (Pushbase) The length of a room message's JSON ({@link #writeRoom}), in bytes.
     *
     * @param room a room name ({@link Rooms}: ASCII, nothing to escape)
     */
    public static int roomLength(long mid, byte[] payload, MessageFormat format, String room) {
        // ,"gid":0}  becomes  ,"gid":0,"room":"<room>"}
        return length(mid, payload, format)
                + GID_ZERO_ROOM.length
                - GID_ZERO_END.length
                + room.length()
                + 2;
    }

    /**
     * (Pushbase) A room message (docs/PROTOCOL.md "Rooms"): the message JSON of {@code format} with
     * one more field last, the room it was pushed to: {@code
     * {"msg":..,"mid":..,"gid":0,"room":"<room>"}}. Its mid is the room's (room mids grow per room,
     * not per key), so a client keeps the largest mid per room and tells a room's messages from its
     * key's by that field. A broadcast (room {@link Rooms#ALL}) also carries {@code "gid":1}:
     * gopush-cluster's public message, whose mids its clients keep apart ({@code pmid}).
     *
     * @param room a room name ({@link Rooms}: ASCII, nothing to escape), or {@link Rooms#ALL}
     */
    public static void writeRoom(
            ByteBuf out, long mid, byte[] payload, MessageFormat format, String room) {
        int start = out.writerIndex();
        write(out, mid, payload, format);
        // Replace the closing "}" with the room field; a broadcast (room "*") is gopush-cluster's
        // public message: gid 1, which its clients keep apart from their key's mids.
        out.writerIndex(out.writerIndex() - 1);
        if (Rooms.ALL.equals(room)) {
            out.setByte(out.writerIndex() - 1, '1');
        }
        out.writeBytes(
                GID_ZERO_ROOM,
                GID_ZERO_END.length - 1,
                GID_ZERO_ROOM.length - GID_ZERO_END.length + 1);
        out.writeCharSequence(room, StandardCharsets.US_ASCII);
        out.writeByte('"').writeByte('}');
        assert out.writerIndex() - start == roomLength(mid, payload, format, room);
    }

    /** (Pushbase) {@link #writeRoom} into a new array. */
    public static byte[] renderRoom(long mid, byte[] payload, MessageFormat format, String room) {
        byte[] json = new byte[roomLength(mid, payload, format, room)];
        ByteBuf out = Unpooled.wrappedBuffer(json);
        out.writerIndex(0);
        writeRoom(out, mid, payload, format, room);
        return json;
    }

    /** The message JSON as a new array (for callers outside a Netty pipeline, and for tests). */
    public static byte[] render(long mid, byte[] payload, MessageFormat format) {
        int length = length(mid, payload, format);
        byte[] json = new byte[length];
        ByteBuf out = Unpooled.wrappedBuffer(json);
        out.writerIndex(0);
        write(out, mid, payload, format);
        return json;
    }

    /**
     * Whether the new (or exact) format may copy {@code payload} verbatim: not empty, no byte-order
     * mark, valid UTF-8, and no control byte other than tab, line feed and carriage return. A byte
     * scan, not a parse: every push route admits only valid JSON, so this only has to catch what an
     * encoding other than plain UTF-8 left behind.
     */
    public static boolean embeddable(byte[] payload) {
        if (payload.length == 0
                || payload.length >= 3
                        && payload[0] == (byte) 0xef
                        && payload[1] == (byte) 0xbb
                        && payload[2] == (byte) 0xbf) {
            return false;
        }
        for (int i = 0; i < payload.length; ) {
            int b = payload[i] & 0xff;
            if (b < 0x80) {
                if (b < 0x20 && b != '\t' && b != '\n' && b != '\r') {
                    return false;
                }
                i++;
                continue;
            }
            int sequence = utf8SequenceLength(payload, i);
            if (sequence == 0) {
                return false;
            }
            i += sequence;
        }
        return true;
    }

    /**
     * Appends {@code utf8} as a JSON string, quotes included, escaped exactly as Go's {@code
     * json.Marshal} of a {@code string} (the rules in the class comment). For the web node's
     * answers, which gopush-cluster rendered with Go's encoder.
     */
    public static void writeString(ByteBuf out, byte[] utf8) {
        out.writeByte('"');
        writeEscaped(out, utf8);
        out.writeByte('"');
    }

    /** Exact number of bytes {@link #writeString} produces for {@code utf8}. */
    public static int stringLength(byte[] utf8) {
        return 2 + escapedLength(utf8);
    }

    /** Length of {@code payload} once escaped as the content of a JSON string (no quotes). */
    static int escapedLength(byte[] payload) {
        int length = 0;
        for (int i = 0; i < payload.length; ) {
            int b = payload[i] & 0xff;
            if (b < 0x80) {
                int escape = ASCII_ESCAPE[b];
                length += escape == 0 ? 1 : escape;
                i++;
                continue;
            }
            int sequence = utf8SequenceLength(payload, i);
            if (sequence == 0) {
                length += 6; // the escaped U+FFFD for this one byte; resynchronise on the next
                i++;
            } else if (isLineOrParagraphSeparator(payload, i, sequence)) {
                length += 6;
                i += sequence;
            } else {
                length += sequence;
                i += sequence;
            }
        }
        return length;
    }

    private static void writeEscaped(ByteBuf out, byte[] payload) {
        int copyFrom = 0; // start of the run of bytes copied as they are
        for (int i = 0; i < payload.length; ) {
            int b = payload[i] & 0xff;
            if (b < 0x80) {
                if (ASCII_ESCAPE[b] == 0) {
                    i++;
                    continue;
                }
                out.writeBytes(payload, copyFrom, i - copyFrom);
                switch (b) {
                    case '"', '\\' -> out.writeByte('\\').writeByte(b);
                    case '\n' -> out.writeByte('\\').writeByte('n');
                    case '\r' -> out.writeByte('\\').writeByte('r');
                    case '\t' -> out.writeByte('\\').writeByte('t');
                    default -> writeUnicodeEscape(out, b);
                }
                i++;
                copyFrom = i;
                continue;
            }
            int sequence = utf8SequenceLength(payload, i);
            if (sequence == 0) {
                out.writeBytes(payload, copyFrom, i - copyFrom);
                writeUnicodeEscape(out, 0xfffd);
                i++;
                copyFrom = i;
            } else if (isLineOrParagraphSeparator(payload, i, sequence)) {
                out.writeBytes(payload, copyFrom, i - copyFrom);
                writeUnicodeEscape(out, payload[i + 2] == (byte) 0xa8 ? 0x2028 : 0x2029);
                i += sequence;
                copyFrom = i;
            } else {
                i += sequence;
            }
        }
        out.writeBytes(payload, copyFrom, payload.length - copyFrom);
    }

    private static void writeUnicodeEscape(ByteBuf out, int c) {
        out.writeByte('\\')
                .writeByte('u')
                .writeByte(HEX[(c >> 12) & 0xf])
                .writeByte(HEX[(c >> 8) & 0xf])
                .writeByte(HEX[(c >> 4) & 0xf])
                .writeByte(HEX[c & 0xf]);
    }

    /**
     * Length of the well-formed UTF-8 sequence starting at {@code i} (a non-ASCII lead byte), or 0
     * when it is not well formed (RFC 3629: no overlong forms, no surrogates, nothing above
     * U+10FFFF) — the same rule as Go's {@code utf8.DecodeRune}.
     */
    private static int utf8SequenceLength(byte[] p, int i) {
        int b0 = p[i] & 0xff;
        if (b0 >= 0xc2 && b0 <= 0xdf) {
            return continuation(p, i + 1, 0x80, 0xbf) ? 2 : 0;
        }
        if (b0 >= 0xe0 && b0 <= 0xef) {
            int lo = b0 == 0xe0 ? 0xa0 : 0x80;
            int hi = b0 == 0xed ? 0x9f : 0xbf;
            return continuation(p, i + 1, lo, hi) && continuation(p, i + 2, 0x80, 0xbf) ? 3 : 0;
        }
        if (b0 >= 0xf0 && b0 <= 0xf4) {
            int lo = b0 == 0xf0 ? 0x90 : 0x80;
            int hi = b0 == 0xf4 ? 0x8f : 0xbf;
            return continuation(p, i + 1, lo, hi)
                            && continuation(p, i + 2, 0x80, 0xbf)
                            && continuation(p, i + 3, 0x80, 0xbf)
                    ? 4
                    : 0;
        }
        return 0;
    }

    private static boolean continuation(byte[] p, int i, int lo, int hi) {
        if (i >= p.length) {
            return false;
        }
        int b = p[i] & 0xff;
        return b >= lo && b <= hi;
    }

    /** U+2028 / U+2029 are E2 80 A8 / E2 80 A9: valid JSON, but not valid JavaScript. */
    private static boolean isLineOrParagraphSeparator(byte[] p, int i, int sequence) {
        return sequence == 3
                && p[i] == (byte) 0xe2
                && p[i + 1] == (byte) 0x80
                && (p[i + 2] == (byte) 0xa8 || p[i + 2] == (byte) 0xa9);
    }

    private static int decimalLength(long value) {
        // Long.MIN_VALUE cannot be negated; every other value is counted digit by digit.
        if (value == Long.MIN_VALUE) {
            return 20;
        }
        int length = value < 0 ? 2 : 1;
        for (long v = Math.abs(value); v >= 10; v /= 10) {
            length++;
        }
        return length;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
