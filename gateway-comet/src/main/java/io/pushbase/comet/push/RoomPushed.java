package io.pushbase.comet.push;

/**
 * (Pushbase, issue 14) What became of a room push on the room's owner.
 *
 * @param mid the room's mid of the message (the first push's, for a duplicate)
 * @param delivered members of the room on this comet it was written to
 * @param duplicate the push was a retry of one acknowledged before: nothing stored or delivered
 * @param peers other comets it was sent to
 */
public record RoomPushed(long mid, int delivered, boolean duplicate, int peers) {}
