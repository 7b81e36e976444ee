package io.pushbase.cluster.message;

import com.codahale.metrics.Meter;
import com.google.protobuf.ByteString;
import io.pushbase.schema.client.MidClock;
import io.pushbase.schema.message.v1.AppendRequest;
import java.util.concurrent.CompletableFuture;

/**
 * Takes a mid for one message of a key and has it appended, as docs/MIDS.md describes: proposes
 * {@code max(now, floor)}, and when the message node answers that the key's head is not smaller,
 * proposes {@code max(now, head + 1)} again, at most {@value #MAX_PROPOSALS} times. The mid the
 * future completes with is larger than every mid the key had before (docs/DESIGN.md invariant 2),
 * whoever else appends to the key meanwhile.
 *
 * <p>Comets call it for every push (with the last mid they took for the key as the floor); web
 * nodes call it with floor 0 to store a push whose comet cannot be reached. One claim ({@link
 * AppendClaim}: 16 random bytes, or chosen by the web node and shared with the comet it pushes
 * through) serves every proposal of one call, so a retried attempt whose first answer was lost is
 * recognised by the message node and the message is stored once; a claim another node may have
 * appended is looked up ({@code find_claim}), so a push is stored under one mid whichever node
 * finishes it (docs/MIDS.md, "Retries without duplicates").
 *
 * <p>Thread-safe and non-blocking. Failure: the future fails with the log's failure (no message
 * node could take the append), or with {@link IllegalStateException} when the head kept moving past
 * every proposal; in both cases the caller must treat the message as not stored. Meter {@code
 * conflicts} marks each refused proposal.
 */
public final class KeyAppender {
    /** Proposals per append before giving up: only a key pushed to from several places races. */
    public static final int MAX_PROPOSALS = 8;

    private final MessageLog log;
    private final MidClock clock;
    private final Meter conflicts;
    private final boolean rooms;

    public KeyAppender(MessageLog log, MidClock clock, Meter conflicts) {
        this(log, clock, conflicts, false);
    }

    private KeyAppender(MessageLog log, MidClock clock, Meter conflicts, boolean rooms) {
        this.log = log;
        this.clock = clock;
        this.conflicts = conflicts;
        this.rooms = rooms;
    }

    /**
     * (Pushbase, issue 14) An appender to room logs: the "key" of every call is a room name, sent
     * as {@code AppendRequest.room}; mids are taken exactly as a key's (the room log's own head,
     * docs/MIDS.md "Room mids").
     */
    public static KeyAppender forRooms(MessageLog log, MidClock clock, Meter conflicts) {
        return new KeyAppender(log, clock, conflicts, true);
    }

    /** What an append took: the push's mid, and whether an earlier attempt had taken it. */
    public record Appended(long mid, boolean duplicate) {}

    /**
     * Appends {@code body} to {@code key} under a new mid, with a random claim of its own.
     *
     * @param floor a mid the new one must exceed (the caller's last mid for the key, or 0)
     * @param expireSeconds 0 = online only: the mid is taken, nothing is stored
     * @return the mid taken, once the append was acknowledged
     */
    public CompletableFuture<Long> append(
            String key, ByteString body, long expireSeconds, long floor) {
        return append(key, body, expireSeconds, floor, AppendClaim.random())
                .thenApply(Appended::mid);
    }

    /**
     * Appends {@code body} to {@code key} with {@code claim}: the first proposal looks the claim up
     * when {@link AppendClaim#findFirst()}, later ones (after a refusal) also when the claim is
     * {@link AppendClaim#shared()}. A claim found in the store completes with the mid it holds,
     * {@code duplicate}, and nothing new stored.
     *
     * @param floor a mid the new one must exceed (the caller's last mid for the key, or 0)
     * @param expireSeconds 0 = online only: the mid is taken, nothing is stored
     * @return the push's mid, once the append was acknowledged
     */
    public CompletableFuture<Appended> append(
            String key, ByteString body, long expireSeconds, long floor, AppendClaim claim) {
        long mid = Math.max(clock.now(), floor == Long.MAX_VALUE ? floor : floor + 1);
        return propose(key, body, expireSeconds, claim, mid, 1);
    }

    private CompletableFuture<Appended> propose(
            String key,
            ByteString body,
            long expireSeconds,
            AppendClaim claim,
            long mid,
            int round) {
        AppendRequest.Builder builder = AppendRequest.newBuilder();
        if (rooms) {
            builder.setRoom(key);
        } else {
            builder.setKey(key);
        }
        AppendRequest request =
                builder.setMid(mid)
                        .setPayload(body)
                        .setExpireSeconds(expireSeconds)
                        .setClaim(claim.bytes())
                        .setFindClaim(claim.findFirst() || claim.shared() && round > 1)
                        .setIndexSeconds(claim.indexSeconds())
                        .build();
        return log.append(request)
                .thenCompose(
                        reply -> {
                            if (reply.getAppended()) {
                                long taken =
                                        reply.getClaimedMid() != 0 ? reply.getClaimedMid() : mid;
                                return CompletableFuture.completedFuture(
                                        new Appended(taken, reply.getDuplicate()));
                            }
                            conflicts.mark();
                            if (round >= MAX_PROPOSALS) {
                                return CompletableFuture.failedFuture(
                                        new IllegalStateException(
                                                (rooms ? "room '" : "key '")
                                                        + key
                                                        + "' head kept moving past "
                                                        + MAX_PROPOSALS
                                                        + " proposed mids"));
                            }
                            long next = Math.max(clock.now(), reply.getHead() + 1);
                            return propose(key, body, expireSeconds, claim, next, round + 1);
                        });
    }
}
