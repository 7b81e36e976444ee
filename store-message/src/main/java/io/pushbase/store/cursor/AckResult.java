package io.pushbase.store.cursor;

/**
 * What became of one {@link Ack}.
 *
 * @param status the outcome
 * @param cursor for {@link Status#STORED} the device's cursor after the ack (at least its mid); for
 *     {@link Status#NOT_ISSUED} the key's head ({@code -1}: none); else 0
 * @param problem for every status but {@link Status#STORED}: what went wrong, for the client
 */
public record AckResult(Status status, long cursor, String problem) {
    /** The outcomes of an ack. */
    public enum Status {
        /** The cursor is at least the ack's mid now. */
        STORED,
        /** The mid is above the key's head: it was never issued. Nothing stored. */
        NOT_ISSUED,
        /** A new device, and the key has the most cursors allowed. Nothing stored. */
        TOO_MANY_DEVICES,
        /** The key, device or mid breaks its rule. Nothing stored. */
        INVALID,
        /** The backing store failed or did not answer in time; retrying is safe. */
        UNAVAILABLE
    }

    public static AckResult stored(long cursor) {
        return new AckResult(Status.STORED, cursor, null);
    }

    public static AckResult notIssued(long mid, long head) {
        return new AckResult(
                Status.NOT_ISSUED,
                head,
                head < 0
                        ? "mid " + mid + " was never issued: the key has no messages"
                        : "mid " + mid + " was never issued: above the key's head " + head);
    }

    public static AckResult tooManyDevices(int max) {
        return new AckResult(
                Status.TOO_MANY_DEVICES, 0, "the key has " + max + " devices, the most allowed");
    }

    public static AckResult invalid(String problem) {
        return new AckResult(Status.INVALID, 0, problem);
    }

    public static AckResult unavailable(String problem) {
        return new AckResult(Status.UNAVAILABLE, 0, problem);
    }
}
