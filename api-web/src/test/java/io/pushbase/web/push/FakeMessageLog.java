package io.pushbase.web.push;

import io.grpc.Status;
import io.pushbase.cluster.message.MessageLog;
import io.pushbase.schema.message.v1.AppendReply;
import io.pushbase.schema.message.v1.AppendRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A message log with a message node's append rule: a mid is taken only if it is larger than the
 * key's head (else the reply carries the head), and a message is stored only when its expire is
 * above 0. {@link #down} fails every append as unreachable message nodes do. A room's log is named
 * {@code "room <name>"}.
 */
final class FakeMessageLog implements MessageLog {
    /** A message as the fake message log stored it. */
    record Stored(String key, long mid, String payload, long expireSeconds) {}

    final Map<String, Long> heads = new HashMap<>();
    final List<Stored> stored = new ArrayList<>();
    // key + claim -> the mid that claim took, as a message node finds it (find_claim).
    final Map<String, Long> claims = new HashMap<>();
    int appends;
    boolean down;

    @Override
    public synchronized CompletableFuture<AppendReply> append(AppendRequest request) {
        appends++;
        if (down) {
            return CompletableFuture.failedFuture(
                    Status.UNAVAILABLE.withDescription("message nodes down").asRuntimeException());
        }
        // A room's log is named apart from a key's of the same name, as a message node keeps them.
        String log = request.getRoom().isEmpty() ? request.getKey() : "room " + request.getRoom();
        long head = heads.getOrDefault(log, 0L);
        String claim = log + "/" + HexFormat.of().formatHex(request.getClaim().toByteArray());
        long mid = request.getMid();
        long original = mid;
        if (request.getFindClaim()) {
            Long found = claims.get(claim);
            if (found != null) {
                return CompletableFuture.completedFuture(
                        AppendReply.newBuilder()
                                .setAppended(true)
                                .setHead(head)
                                .setClaimedMid(found)
                                .setDuplicate(true)
                                .build());
            }
            mid = Math.max(mid, head + 1);
        }
        if (mid <= head) {
            return CompletableFuture.completedFuture(
                    AppendReply.newBuilder().setAppended(false).setHead(head).build());
        }
        heads.put(log, mid);
        claims.put(claim, mid);
        request = request.toBuilder().setMid(mid).build();
        if (request.getExpireSeconds() > 0) {
            stored.add(
                    new Stored(
                            log,
                            request.getMid(),
                            request.getPayload().toStringUtf8(),
                            request.getExpireSeconds()));
        }
        return CompletableFuture.completedFuture(
                AppendReply.newBuilder()
                        .setAppended(true)
                        .setHead(mid)
                        .setClaimedMid(mid == original ? 0 : mid)
                        .build());
    }
}
