package io.pushbase.cluster.message;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How the appends of one push identify it in the store (docs/MIDS.md, "Retries without
 * duplicates"): its claim, and whether the claim may already hold a mid that another node took.
 * Immutable.
 *
 * @param bytes the claim, 1..32 bytes
 * @param findFirst look the claim up before taking a mid (an idempotency key's push, a web node's
 *     fallback after its comet failed): found, the push is a duplicate of what the claim holds
 * @param shared another node may append with the same claim (the web node chose it and passed it to
 *     a comet): a proposal after a refusal looks the claim up too, so that a push whose fallback
 *     stored it meanwhile is never stored again under a later mid
 * @param indexSeconds index the claim with the head for this long (an idempotency key's window), 0
 *     for none
 */
public record AppendClaim(ByteString bytes, boolean findFirst, boolean shared, long indexSeconds) {
    /** Bytes of a random claim and of a claim derived from an idempotency key. */
    public static final int CLAIM_BYTES = 16;

    /** A claim only this appender uses (16 random bytes): nothing to look up, ever. */
    public static AppendClaim random() {
        return new AppendClaim(randomBytes(), false, false, 0);
    }

    /** 16 random bytes, as a push's claim. */
    public static ByteString randomBytes() {
        byte[] claim = new byte[CLAIM_BYTES];
        ThreadLocalRandom.current().nextBytes(claim);
        return UnsafeByteOperations.unsafeWrap(claim);
    }

    /**
     * The claim of a push carrying {@code idempotencyKey}: the first 16 bytes of its SHA-256, so
     * every retry of the push, through any web node, carries the same claim (claims live per key:
     * the same idempotency key for another key is another push).
     */
    public static ByteString fromIdempotencyKey(String idempotencyKey) {
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256")
                            .digest(idempotencyKey.getBytes(StandardCharsets.UTF_8));
            return ByteString.copyFrom(digest, 0, CLAIM_BYTES);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** This claim, looked up before the first proposal (a fallback's append). */
    public AppendClaim lookedUpFirst() {
        return new AppendClaim(bytes, true, true, indexSeconds);
    }
}
