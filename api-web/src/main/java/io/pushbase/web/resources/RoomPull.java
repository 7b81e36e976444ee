package io.pushbase.web.resources;

import static io.pushbase.web.resources.StoredPull.done;

import com.codahale.metrics.MetricRegistry;
import io.pushbase.cluster.message.MessageNodeClient;
import io.pushbase.cluster.token.TokenCheck;
import io.pushbase.cluster.token.TokenVerifier;
import io.pushbase.schema.client.Keys;
import io.pushbase.schema.client.MessageFormat;
import io.pushbase.schema.client.Rooms;
import io.pushbase.web.reply.Answer;
import io.pushbase.web.reply.Data;
import io.pushbase.web.reply.Dialect;
import io.pushbase.web.reply.Ret;
import io.pushbase.web.reply.Route;
import jakarta.ws.rs.core.MultivaluedMap;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * (Pushbase, issue 14) A room's offline pull, {@code GET /1/room/msg/get?room=&m=} (route {@code
 * room.msg.get}): the unexpired stored messages of the room's log with mid greater than {@code m},
 * ascending, at most {@code maxMessages}, each as the room message a member receives ({@code
 * {"msg":..,"mid":..,"gid":0,"room":".."}}, the new format; {@code ver=pushbase.1}: the exact one).
 * {@code complete=1} adds {@code "complete":true|false} as a key's pull does (the room log's
 * low-water mark, docs/STORE.md). {@code cb} makes it JSONP.
 *
 * <p>With auth on, the subscriber's token ({@code t}) must be valid for its key ({@code k}) and its
 * {@code rooms} claim must name the room: {@code 1002} otherwise. A missing or invalid room or mid
 * is {@code 65534}; no message node answering {@code 65535}. Asynchronous.
 *
 * <p>Served by {@link ClientRoutes}, as a key's pull. Thread-safe; one instance per web node.
 */
final class RoomPull {
    private final MessageNodeClient messages;
    private final Optional<TokenVerifier> tokens;
    private final int maxMessages;
    private final Route route;

    RoomPull(
            MessageNodeClient messages,
            Optional<TokenVerifier> tokens,
            int maxMessages,
            MetricRegistry metrics) {
        this.messages = messages;
        this.tokens = tokens;
        this.maxMessages = maxMessages;
        this.route = new Route("room.msg.get", Dialect.VERSIONED, metrics);
    }

    Route route() {
        return route;
    }

    /** {@code /1/room/msg/get?room=&m=&k=&t=&cb=&complete=&ver=}, from its decoded query. */
    CompletionStage<Answer> pull(MultivaluedMap<String, String> query) {
        return pull(
                query.getFirst("room"),
                query.getFirst("m"),
                query.getFirst("k"),
                query.getFirst("t"),
                query.getFirst("complete"),
                StoredPull.format(query.getFirst("ver"), MessageFormat.NEW));
    }

    private CompletionStage<Answer> pull(
            String room,
            String midText,
            String key,
            String token,
            String completeText,
            MessageFormat format) {
        if (room == null || room.isEmpty() || midText == null || midText.isEmpty()) {
            return done(Answer.error(Ret.PARAM, "room and m are both required"));
        }
        // A room, or the broadcasts' log (room "*").
        String roomProblem = Rooms.logProblem(room);
        if (roomProblem != null) {
            return done(Answer.error(Ret.PARAM, roomProblem));
        }
        StoredPull.Window window =
                StoredPull.Window.parse(completeText, midText, "m", "complete must be 1 or 0");
        if (window.refusal() != null) {
            return done(window.refusal());
        }
        if (tokens.isPresent()) {
            if (key == null || Keys.problem(key) != null) {
                return done(
                        Answer.error(
                                Ret.UNAUTHORISED,
                                "with auth on, k (the token's key) and t are required"));
            }
            TokenCheck check = tokens.get().check(token, key);
            if (check != TokenCheck.VALID) {
                return done(StoredPull.tokenRefused(check));
            }
            // Broadcasts reached every connection: any valid token reads their history.
            if (!Rooms.ALL.equals(room)
                    && !Rooms.claimNames(tokens.get().rooms(token, key), room)) {
                return done(
                        Answer.error(
                                Ret.UNAUTHORISED, "the token's rooms claim does not name " + room));
            }
        }
        return StoredPull.orNoMessageNode(
                messages.fetchRoomWithFloor(room, window.from(), maxMessages)
                        .thenApply(
                                reply ->
                                        window.answer(
                                                reply,
                                                stored ->
                                                        Data.roomMessages(room, stored, format))));
    }
}
