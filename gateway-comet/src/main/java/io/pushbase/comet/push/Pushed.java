package io.pushbase.comet.push;

/**
 * A push that went through: its message id and how many connections it was written to.
 *
 * @param mid the message id the key's log took (for a duplicate: the one the first push took)
 * @param delivered connections of the key the message was queued on
 * @param duplicate the push was recognised as a retry of one appended before (its claim held a mid
 *     already): nothing was stored or delivered now
 */
public record Pushed(long mid, int delivered, boolean duplicate) {
    public Pushed(long mid, int delivered) {
        this(mid, delivered, false);
    }
}
