package io.pushbase.web.resources;

import static io.pushbase.web.resources.StoredPull.done;

import com.codahale.metrics.MetricRegistry;
import io.pushbase.cluster.message.MessageNodeClient;
import io.pushbase.cluster.token.TokenCheck;
import io.pushbase.cluster.token.TokenVerifier;
import io.pushbase.schema.client.Keys;
import io.pushbase.schema.client.MessageFormat;
import io.pushbase.schema.message.v1.StoredMessage;
import io.pushbase.web.reply.Answer;
import io.pushbase.web.reply.Data;
import io.pushbase.web.reply.Dialect;
import io.pushbase.web.reply.Ret;
import io.pushbase.web.reply.Route;
import jakarta.ws.rs.core.MultivaluedMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Offline pull (docs/PROTOCOL.md section 1): the unexpired stored messages of a key with mid
 * greater than the one given, ascending, at most {@code maxMessages}, read through a message node
 * (spread and failed over by {@link MessageNodeClient}). {@code /1/msg/get} answers the new message
 * format; {@code /msg/get} the old one as JSON strings, with an empty {@code pmsgs}.
 *
 * <p>(Pushbase) With {@code complete=1} the answer's {@code data} also carries {@code
 * "complete":true|false}: whether no message after the given mid can be missing (trimmed by the
 * per-key cap, deleted, expired). Without it the answer is byte for byte gopush-cluster's.
 *
 * <p>(Pushbase) With {@code ver=pushbase.1} each message carries its mid as a decimal string
 * ({@link MessageFormat#EXACT}), as a comet sends it to a subscriber with that version; any other
 * {@code ver} is ignored, as gopush-cluster ignored it.
 *
 * <p>A missing key or mid, an over-long key or a mid that is not an int64 is {@code 65534}; with
 * auth on, a token ({@code t} / {@code token}) that does not entitle its bearer to the key is
 * {@code 1002}; no message node answering is {@code 65535}. The pull is asynchronous: no request
 * thread waits for the store.
 *
 * <p>Served by {@link ClientRoutes} (not a Jersey resource: Jersey's request path made a cold pull
 * path slow, docs/BENCHMARKS.md). Thread-safe; one instance per web node.
 */
final class MessagePull {
    private final MessageNodeClient messages;
    private final Optional<TokenVerifier> tokens;
    private final int maxMessages;
    private final Route v1;
    private final Route unversioned;

    /**
     * @param tokens the token check, empty when auth is off
     * @param maxMessages most messages one pull answers (the message nodes' per-key cap)
     */
    MessagePull(
            MessageNodeClient messages,
            Optional<TokenVerifier> tokens,
            int maxMessages,
            MetricRegistry metrics) {
        this.messages = messages;
        this.tokens = tokens;
        this.maxMessages = maxMessages;
        this.v1 = new Route("msg.get.v1", Dialect.VERSIONED, metrics);
        this.unversioned = new Route("msg.get", Dialect.UNVERSIONED, metrics);
    }

    /** The route of {@code /1/msg/get} (versioned) or {@code /msg/get}. */
    Route route(boolean versioned) {
        return versioned ? v1 : unversioned;
    }

    /**
     * {@code /1/msg/get?k=&m=&t=&cb=&complete=&ver=} (the new message format) or {@code
     * /msg/get?key=&mid=&token=&callback=&complete=&ver=} (the old one), from its decoded query.
     */
    CompletionStage<Answer> pull(boolean versioned, MultivaluedMap<String, String> query) {
        String complete = query.getFirst("complete");
        String ver = query.getFirst("ver");
        if (versioned) {
            MessageFormat format = StoredPull.format(ver, MessageFormat.NEW);
            return pull(
                    query.getFirst("k"),
                    query.getFirst("m"),
                    query.getFirst("t"),
                    complete,
                    m -> Data.messages(m, format));
        }
        MessageFormat format = StoredPull.format(ver, MessageFormat.OLD);
        return pull(
                query.getFirst("key"),
                query.getFirst("mid"),
                query.getFirst("token"),
                complete,
                m -> Data.oldMessages(m, format));
    }

    private CompletionStage<Answer> pull(
            String key,
            String midText,
            String token,
            String completeText,
            Function<List<StoredMessage>, byte[]> data) {
        if (key == null || key.isEmpty() || midText == null || midText.isEmpty()) {
            return done(Answer.error(Ret.PARAM, "key and mid are both required"));
        }
        StoredPull.Window window =
                StoredPull.Window.parse(
                        completeText,
                        midText,
                        "mid",
                        "complete must be 1 (answer whether the pull is complete) or 0");
        if (window.refusal() != null) {
            return done(window.refusal());
        }
        String keyProblem = Keys.problem(key);
        if (keyProblem != null) {
            return done(Answer.error(Ret.PARAM, keyProblem));
        }
        if (tokens.isPresent()) {
            TokenCheck check = tokens.get().check(token, key);
            if (check != TokenCheck.VALID) {
                return done(StoredPull.tokenRefused(check));
            }
        }
        return StoredPull.orNoMessageNode(
                window.withComplete()
                        ? messages.fetchWithFloor(key, window.from(), maxMessages)
                                .thenApply(reply -> window.answer(reply, data))
                        : messages.fetch(key, window.from(), maxMessages)
                                .thenApply(stored -> StoredPull.answer(stored, null, data)));
    }
}
