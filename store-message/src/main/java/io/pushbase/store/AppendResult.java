package io.pushbase.store;

/**
 * Outcome of {@link MessageStore#append}.
 *
 * @param appended true when the requested mid was taken by this claim (now or by an earlier attempt
 *     with the same claim), or when the claim holds {@code claimedMid}; false when a mid at least
 *     as large was taken before
 * @param head the key's largest taken mid after the call
 * @param claimedMid when not 0, the mid the claim holds instead of the requested one: the message
 *     is stored (expire &gt; 0) under it, nothing was written at the requested mid
 * @param duplicate the claim had taken its mid before this call through another attempt than the
 *     caller's own retries (a lookup found it, or it held the head at another mid): nothing new was
 *     stored, and the message must not be delivered again
 */
public record AppendResult(boolean appended, long head, long claimedMid, boolean duplicate) {

    /** Appended at the requested mid, or refused: what every append without a lookup answers. */
    public AppendResult(boolean appended, long head) {
        this(appended, head, 0, false);
    }

    /** The claim holds {@code mid} from an earlier attempt: nothing new stored. */
    public static AppendResult duplicateAt(long mid, long head) {
        return new AppendResult(true, head, mid, true);
    }

    /** The mid under which the push is held: {@code claimedMid}, else {@code requested}. */
    public long midFor(long requested) {
        return claimedMid != 0 ? claimedMid : requested;
    }
}
