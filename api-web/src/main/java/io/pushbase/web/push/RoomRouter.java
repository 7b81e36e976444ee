package io.pushbase.web.push;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.pushbase.cluster.logging.MessageLogContext;
import io.pushbase.cluster.message.AppendClaim;
import io.pushbase.cluster.message.KeyAppender;
import io.pushbase.schema.client.Rooms;
import io.pushbase.schema.comet.v1.DeliverRoomRequest;
import io.pushbase.schema.comet.v1.PushRoomRequest;
import io.pushbase.web.comet.CometDirectory.CometNode;
import io.pushbase.web.comet.CometOwners;
import io.pushbase.web.comet.RoomComets;
import io.pushbase.web.reply.Answer;
import io.pushbase.web.reply.Data;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * (Pushbase, issue 14) Routes a room push to the comet that owns the room on the ring (the room's
 * name as the point, as a key's), which appends it to the room's log and sends it to every comet
 * (docs/ROOMS.md); and keeps it durable and delivered when that comet cannot take it:
 *
 * <ul>
 *   <li>The owner answers: its answer stands ({@code {"duplicate":..,"mid":".."}} in {@code data}).
 *   <li>The owner refuses the input ({@code INVALID_ARGUMENT}): {@code 65534}; it is overloaded
 *       ({@code RESOURCE_EXHAUSTED}): {@code 65535} with 503 and {@code Retry-After}, nothing
 *       stored.
 *   <li>No owner, or it cannot be reached, times out, no longer owns the room, fails otherwise: the
 *       web node appends the message to the room's log itself (a mid taken as a comet takes it, the
 *       push's claim looked up first, so a push the comet appended before failing is found, not
 *       stored again), then sends it to every registered comet with one {@code DeliverRoom} each,
 *       and answers {@code ret 0}. Unlike a key's online-only push, a room's (expire 0) is still
 *       delivered this way: it takes its mid from the room's head all the same.
 * </ul>
 *
 * The decision is {@link CometFallback}'s, as for a key's push ({@link PushRouter}); this class
 * keeps what differs: the room's fallback delivers to every comet. Idempotency keys work as for
 * keys: the claim is derived from the idempotency key (per room: the same idempotency key for
 * another room is another push), looked up first and indexed for the window.
 *
 * <p>A push without an idempotency key that was appended but perhaps never delivered — the fallback
 * found it appended (the owner's append landed after the owner had failed the push), or the owner
 * answered {@code duplicate} (an earlier attempt of this very push took the mid, its answer lost) —
 * is also sent to every comet under the mid it took. Members that had it drop it (a member drops
 * room mids not above its largest, docs/PROTOCOL.md); the others get it live instead of at their
 * next resume. A push with an idempotency key is not: its duplicate may be a retry of one delivered
 * long ago, and a retry is never delivered again.
 *
 * <p>Thread-safe and non-blocking. Meters {@code web.room.push.fallback}, {@code
 * web.room.push.fallback.found}, {@code web.room.push.fallback.failed}, {@code
 * web.room.push.duplicates}, {@code web.room.push.undelivered.resent}, {@code
 * web.room.push.comet.overloaded}.
 */
public final class RoomRouter {
    private static final Logger LOG = LoggerFactory.getLogger(RoomRouter.class);

    private final CometOwners directory;
    private final RoomComets comets;
    private final KeyAppender appender;
    private final Supplier<Collection<String>> cometAddresses;
    private final long idempotencyWindowSeconds;
    private final Meter fallback;
    private final Meter fallbackFound;
    private final Meter fallbackFailed;
    private final Meter duplicates;
    private final Meter resent;
    private final CometFallback cometFailed;

    /**
     * @param appender a room appender ({@link KeyAppender#forRooms}) through message nodes
     * @param cometAddresses the gRPC addresses of the registered comets (the fallback's fan-out)
     */
    public RoomRouter(
            CometOwners directory,
            RoomComets comets,
            KeyAppender appender,
            Supplier<Collection<String>> cometAddresses,
            long idempotencyWindowSeconds,
            MetricRegistry metrics) {
        this.directory = directory;
        this.comets = comets;
        this.appender = appender;
        this.cometAddresses = cometAddresses;
        this.idempotencyWindowSeconds = idempotencyWindowSeconds;
        this.fallback = metrics.meter("web.room.push.fallback");
        this.fallbackFound = metrics.meter("web.room.push.fallback.found");
        this.fallbackFailed = metrics.meter("web.room.push.fallback.failed");
        this.duplicates = metrics.meter("web.room.push.duplicates");
        this.resent = metrics.meter("web.room.push.undelivered.resent");
        this.cometFailed = new CometFallback(metrics.meter("web.room.push.comet.overloaded"));
    }

    /**
     * Pushes {@code payload} (valid JSON, not copied) to {@code room} (a valid room name).
     *
     * @param idempotencyKey a valid idempotency key, or null
     */
    public CompletableFuture<Answer> push(
            String room, byte[] payload, long expireSeconds, String idempotencyKey) {
        return push(room, payload, expireSeconds, idempotencyKey, 0);
    }

    /**
     * {@link #push(String, byte[], long, String)}; {@code room} {@link Rooms#ALL} is a broadcast to
     * every connection of every comet, spread over {@code spreadMillis} by each comet.
     */
    public CompletableFuture<Answer> push(
            String room,
            byte[] payload,
            long expireSeconds,
            String idempotencyKey,
            long spreadMillis) {
        ByteString body = UnsafeByteOperations.unsafeWrap(payload);
        AppendClaim claim = CometFallback.claimFor(idempotencyKey, idempotencyWindowSeconds);
        Optional<CometNode> owner = directory.ownerOf(room);
        boolean resendFound = idempotencyKey == null;
        if (owner.isEmpty()) {
            return store(
                    room,
                    payload,
                    body,
                    expireSeconds,
                    spreadMillis,
                    "no comet node is live",
                    claim,
                    resendFound);
        }
        CometNode comet = owner.get();
        PushRoomRequest request =
                PushRoomRequest.newBuilder()
                        .setRoom(room)
                        .setPayload(body)
                        .setExpireSeconds(expireSeconds)
                        .setSpreadMillis(spreadMillis)
                        .setClaim(CometFallback.wire(claim))
                        .build();
        return cometFailed.decide(
                comet,
                comets.pushRoom(comet, request),
                reply -> {
                    if (reply.getDuplicate()) {
                        duplicates.mark();
                        if (resendFound) {
                            resend(room, reply.getMid(), payload, spreadMillis);
                        }
                    }
                    return Answer.ok(Data.pushed(reply.getMid(), reply.getDuplicate()));
                },
                refusal -> refusal,
                why ->
                        store(
                                room,
                                payload,
                                body,
                                expireSeconds,
                                spreadMillis,
                                why,
                                claim.lookedUpFirst(),
                                resendFound));
    }

    /**
     * The fallback: appends to the room's log here, then sends it to every comet; when {@code
     * resendFound}, also a push found appended already.
     */
    private CompletableFuture<Answer> store(
            String room,
            byte[] payload,
            ByteString body,
            long expireSeconds,
            long spreadMillis,
            String why,
            AppendClaim claim,
            boolean resendFound) {
        return appender.append(room, body, expireSeconds, 0, claim)
                .handle(
                        (appended, err) -> {
                            if (err != null) {
                                fallbackFailed.mark();
                                try (MessageLogContext ignored = MessageLogContext.of(room)) {
                                    LOG.warn(
                                            "Push to room '{}' lost its comet ({}) and could not"
                                                    + " be stored: {}",
                                            room,
                                            why,
                                            err.toString());
                                }
                                return CometFallback.storeFailed(why, err);
                            }
                            if (appended.duplicate()) {
                                fallbackFound.mark();
                                duplicates.mark();
                                if (resendFound) {
                                    resend(room, appended.mid(), payload, spreadMillis);
                                }
                            } else {
                                fallback.mark();
                                deliverEverywhere(room, appended.mid(), payload, spreadMillis);
                            }
                            try (MessageLogContext ignored =
                                    MessageLogContext.of(room, appended.mid())) {
                                LOG.debug(
                                        "Push to room '{}' {} by the web node with mid {}: {}",
                                        room,
                                        appended.duplicate() ? "found stored" : "stored",
                                        appended.mid(),
                                        why);
                            }
                            return Answer.ok(Data.pushed(appended.mid(), appended.duplicate()));
                        });
    }

    /** A push appended that perhaps no comet delivered: sent to every comet under its mid. */
    private void resend(String room, long mid, byte[] payload, long spreadMillis) {
        resent.mark();
        deliverEverywhere(room, mid, payload, spreadMillis);
    }

    /** Best effort: each comet's members get it live; those who miss it resume the room. */
    private void deliverEverywhere(String room, long mid, byte[] payload, long spreadMillis) {
        DeliverRoomRequest request =
                DeliverRoomRequest.newBuilder()
                        .setRoom(room)
                        .setMid(mid)
                        .setPayload(UnsafeByteOperations.unsafeWrap(payload))
                        .setSender("web")
                        .setSpreadMillis(spreadMillis)
                        .build();
        for (String address : cometAddresses.get()) {
            comets.deliverRoom(address, request)
                    .whenComplete(
                            (reply, err) -> {
                                if (err != null) {
                                    LOG.debug(
                                            "Room {} mid {} not delivered by comet {}: {}",
                                            room,
                                            mid,
                                            address,
                                            err.toString());
                                }
                            });
        }
    }
}
