package io.pushbase.store;

/**
 * One entry of {@link MessageStore#appendMany}: the arguments of one {@link MessageStore#append}.
 * The arrays are not copied; the caller must not modify them until the call completes.
 *
 * @param claim 1..32 bytes identifying the push (its retries carry the same claim)
 * @param expireSeconds 0 = online only: take the mid, store nothing
 * @param findClaim the claim may already hold another mid (a push retried through another node):
 *     find it before taking a mid (docs/MIDS.md, "Retries without duplicates")
 * @param indexSeconds index the claim with the head for this long (0: no index; at most the
 *     retention), so that a later {@code findClaim} finds it exactly
 */
public record AppendEntry(
        String key,
        long mid,
        byte[] claim,
        byte[] payload,
        long expireSeconds,
        boolean findClaim,
        long indexSeconds) {

    /** A plain append: no lookup, no index (the push path of every push without a key). */
    public AppendEntry(String key, long mid, byte[] claim, byte[] payload, long expireSeconds) {
        this(key, mid, claim, payload, expireSeconds, false, 0);
    }
}
