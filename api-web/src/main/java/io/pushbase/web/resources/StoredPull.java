package io.pushbase.web.resources;

import io.pushbase.cluster.grpc.GrpcFutures;
import io.pushbase.cluster.token.TokenCheck;
import io.pushbase.schema.client.MessageFormat;
import io.pushbase.schema.message.v1.FetchReply;
import io.pushbase.schema.message.v1.StoredMessage;
import io.pushbase.web.reply.Answer;
import io.pushbase.web.reply.Data;
import io.pushbase.web.reply.Ret;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * What a key's offline pull ({@link MessagePull}) and a room's ({@link RoomPull}) share: reading
 * the {@code ver}, {@code complete} and mid parameters, refusing a token, the answer (the messages
 * and, when asked, the completeness answer) and the answer when no message node answers. Each
 * resource keeps its own parameter names, order of checks and fetch; every answer is byte for byte
 * what each answered before this was shared.
 *
 * <p>Stateless and thread-safe.
 */
final class StoredPull {
    private StoredPull() {}

    /**
     * A pull's validated window: messages after {@code from} (never negative: mid 0 is never a
     * message), whether the completeness answer was asked for; or, when {@code refusal} is not
     * null, the {@code 65534} answer naming the problem.
     */
    record Window(long from, boolean withComplete, Answer refusal) {
        /**
         * Reads {@code complete} (1, or 0 / empty / absent) then the mid (an int64 in decimal); the
         * first problem is the refusal.
         *
         * @param midName the mid parameter as a problem names it
         * @param completeRule the problem of a {@code complete} that is neither 1 nor 0
         */
        static Window parse(
                String completeText, String midText, String midName, String completeRule) {
            boolean withComplete;
            if (completeText == null || completeText.isEmpty() || completeText.equals("0")) {
                withComplete = false;
            } else if (completeText.equals("1")) {
                withComplete = true;
            } else {
                return refused(Answer.error(Ret.PARAM, completeRule));
            }
            long after;
            try {
                after = Long.parseLong(midText);
            } catch (NumberFormatException e) {
                return refused(
                        Answer.error(
                                Ret.PARAM,
                                midName + " must be an int64 in decimal, got '" + midText + "'"));
            }
            // "After a negative mid" is "everything".
            return new Window(Math.max(0, after), withComplete, null);
        }

        private static Window refused(Answer refusal) {
            return new Window(0, false, refusal);
        }

        /**
         * The answer to a fetch of this window that asked for the floor: (Pushbase) complete when
         * every message after {@code from} ever stored is still there ({@code from} >= the log's
         * low-water mark, docs/STORE.md); a node that answers no floor makes it false.
         */
        Answer answer(FetchReply reply, Function<List<StoredMessage>, byte[]> data) {
            Boolean complete = withComplete ? reply.hasFloor() && from >= reply.getFloor() : null;
            return StoredPull.answer(reply.getMessagesList(), complete, data);
        }
    }

    /** The pull's answer; {@code complete} null when it was not asked for. */
    static Answer answer(
            List<StoredMessage> stored,
            Boolean complete,
            Function<List<StoredMessage>, byte[]> data) {
        byte[] msgs = stored.isEmpty() ? null : data.apply(stored);
        if (complete != null) {
            return Answer.ok(Data.withComplete(complete, msgs));
        }
        return msgs == null ? Answer.ok() : Answer.ok(msgs);
    }

    /** {@code 1002} naming why the token was refused ({@code check} is not valid). */
    static Answer tokenRefused(TokenCheck check) {
        return Answer.error(
                Ret.UNAUTHORISED,
                "token " + check.name().toLowerCase(Locale.ROOT).replace('_', ' '));
    }

    /** {@code answer}, or {@code 65535} when no message node answered. */
    static CompletionStage<Answer> orNoMessageNode(CompletableFuture<Answer> answer) {
        return answer.exceptionally(
                err ->
                        Answer.error(
                                Ret.INTERNAL,
                                "no message node answered: " + GrpcFutures.unwrap(err)));
    }

    /**
     * (Pushbase) The exact format ({@link MessageFormat#EXACT}, mids as decimal strings) when
     * {@code ver} is exactly the reserved value the comets take ({@link
     * MessageFormat#EXACT_VERSION}), else {@code otherwise}: any other {@code ver}, which
     * gopush-cluster's web node ignored, still changes nothing.
     */
    static MessageFormat format(String ver, MessageFormat otherwise) {
        return MessageFormat.EXACT_VERSION.equals(ver) ? MessageFormat.EXACT : otherwise;
    }

    static CompletionStage<Answer> done(Answer answer) {
        return CompletableFuture.completedFuture(answer);
    }
}
