package io.pushbase.comet.codec;

import java.util.Objects;

/**
 * (Pushbase, issue 14) A reply about one room, a text line like the fixed {@link Reply replies} but
 * naming the room (docs/PROTOCOL.md "Rooms"):
 *
 * <ul>
 *   <li>{@code +j <room>\r\n} — joined; {@code +j <room> complete\r\n} / {@code +j <room>
 *       truncated\r\n} — joined with a {@code since}: the room's completeness answer, before its
 *       replayed messages (the meaning of {@code +r complete} / {@code +r truncated} for the room);
 *   <li>{@code +l <room>\r\n} — left;
 *   <li>{@code -j <room> <reason>\r\n} — the join was refused, {@code reason} one of {@link
 *       Refusal}; the room is {@code *} when its name itself was refused (it is then not echoed).
 * </ul>
 *
 * Room names are ASCII without spaces (schema {@code Rooms}), so a line never needs escaping.
 * Immutable.
 */
public record RoomReply(String text) {
    /** Why a join was refused: the word after the room in {@code -j <room> <reason>}. */
    public enum Refusal {
        /** The room name breaks the room rule or the comet's length bound. */
        NAME("name"),
        /** The room's {@code since} is not a mid (digits, int64, not in the future). */
        SINCE("since"),
        /** Auth is on and the token's {@code rooms} claim does not name the room. */
        AUTH("auth"),
        /** The connection is in {@code maxRoomsPerConnection} rooms already. */
        LIMIT("limit"),
        /** The room has {@code maxMembersPerRoom} members on this comet already. */
        FULL("full");

        private final String word;

        Refusal(String word) {
            this.word = word;
        }

        /** The reason as the reply spells it. */
        public String word() {
            return word;
        }
    }

    public RoomReply {
        Objects.requireNonNull(text, "text");
    }

    /** {@code +j <room>}. */
    public static RoomReply joined(String room) {
        return new RoomReply("+j " + room + "\r\n");
    }

    /** {@code +j <room> complete} or {@code +j <room> truncated}: a join with a since. */
    public static RoomReply joined(String room, boolean complete) {
        return new RoomReply("+j " + room + (complete ? " complete" : " truncated") + "\r\n");
    }

    /** {@code +l <room>}. */
    public static RoomReply left(String room) {
        return new RoomReply("+l " + room + "\r\n");
    }

    /**
     * {@code -j <room> <reason>}; {@code room} null when the name was refused (written {@code *}).
     */
    public static RoomReply refused(String room, Refusal reason) {
        return new RoomReply("-j " + (room == null ? "*" : room) + " " + reason.word() + "\r\n");
    }

    /** The reason of a refusal ({@code -j <room> <reason>}); null for any other reply. */
    public Refusal refusal() {
        if (!isRefusal()) {
            return null;
        }
        String word = text.substring(text.lastIndexOf(' ') + 1, text.length() - 2);
        for (Refusal r : Refusal.values()) {
            if (r.word.equals(word)) {
                return r;
            }
        }
        return null;
    }

    /** Whether this is a refusal ({@code -j}). */
    public boolean isRefusal() {
        return text.startsWith("-");
    }

    /**
     * The line without its verb and CRLF ({@code <room>[ <word>]}): the data of a stream's {@code
     * join} event.
     */
    public String data() {
        return text.substring(3, text.length() - 2);
    }

    @Override
    public String toString() {
        return text.strip();
    }
}
