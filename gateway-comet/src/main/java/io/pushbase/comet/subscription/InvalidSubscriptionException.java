package io.pushbase.comet.subscription;

import io.pushbase.comet.codec.RoomReply;

/**
 * A subscribe request with bad parameters (unknown command, a key the key rule refuses, heartbeat
 * missing, not a number or below the minimum, a malformed or future {@code since}): the comet
 * answers {@code -p\r\n} and closes. The message says which, for the log only; {@link #rule()}
 * tells a refused key or {@code since} apart, for their own counters. Immutable.
 */
public final class InvalidSubscriptionException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Which rule refused the request. */
    public enum Rule {
        /** The key rule ({@code schema/client/Keys}): absent, empty, too long or not UTF-8. */
        KEY,
        /** (Pushbase) {@code since}: not a decimal int64, negative, too long or in the future. */
        SINCE,
        /**
         * (Pushbase, issue 15) The device of {@code since=@<device>}: not a device id of the acks'
         * rule ({@code schema/client/Devices}).
         */
        DEVICE,
        /**
         * (Pushbase) A room asked at subscribe: its name, its since, or more rooms than a
         * connection may join ({@link #roomReply()} says which room and why).
         */
        ROOM,
        /** Any other {@code -p} reason (heartbeat, command, query string). */
        OTHER
    }

    private final Rule rule;
    private final transient RoomReply roomReply;

    public InvalidSubscriptionException(String message) {
        this(message, Rule.OTHER);
    }

    private InvalidSubscriptionException(String message, Rule rule) {
        this(message, rule, null);
    }

    private InvalidSubscriptionException(String message, Rule rule, RoomReply roomReply) {
        super(message, null, false, false);
        this.rule = rule;
        this.roomReply = roomReply;
    }

    /**
     * (Pushbase) A room of the subscribe refused: {@code -j <room> <reason>} is answered before
     * {@code -p}.
     *
     * @param room the room as asked, null when its name is what was refused
     */
    public static InvalidSubscriptionException badRoom(
            String room, RoomReply.Refusal reason, String problem) {
        return new InvalidSubscriptionException(
                problem, Rule.ROOM, RoomReply.refused(room, reason));
    }

    /** The room refusal to answer first ({@link Rule#ROOM}), or null. */
    public RoomReply roomReply() {
        return roomReply;
    }

    /** A key that is absent or that {@code schema/client/Keys} refuses. */
    public static InvalidSubscriptionException badKey(String problem) {
        return new InvalidSubscriptionException(problem, Rule.KEY);
    }

    /** A {@code since} that is not a mid this comet can resume after. */
    public static InvalidSubscriptionException badSince(String problem) {
        return new InvalidSubscriptionException(problem, Rule.SINCE);
    }

    /** (Pushbase) A {@code since=@<device>} whose device id the device rule refuses. */
    public static InvalidSubscriptionException badDevice(String problem) {
        return new InvalidSubscriptionException(problem, Rule.DEVICE);
    }

    public Rule rule() {
        return rule;
    }
}
