package io.pushbase.comet.testing;

import com.google.protobuf.ByteString;
import io.pushbase.comet.replay.MessageHistory;
import io.pushbase.schema.message.v1.FetchReply;
import io.pushbase.schema.message.v1.StoredMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link MessageHistory} the test answers by hand: every fetch is recorded with an uncompleted
 * future, so a test decides when (and with what) each page arrives, and what happens meanwhile.
 */
public final class ScriptedHistory implements MessageHistory {
    /** One fetch: what was asked and the answer the test completes. */
    public record Fetch(String key, long after, int limit, CompletableFuture<FetchReply> answer) {

        /**
         * Answers with messages of these mids (payload {@code {"n":<mid>}}); none: no message. The
         * floor is 0: nothing of the key is gone.
         */
        public void reply(long... mids) {
            replyWithFloor(0, mids);
        }

        /** Answers with these mids and the key's low-water mark {@code floor}. */
        public void replyWithFloor(long floor, long... mids) {
            answer.complete(
                    FetchReply.newBuilder().addAllMessages(messages(mids)).setFloor(floor).build());
        }

        /**
         * Answers with these mids (floor 0) and whether more messages follow them ({@code
         * FetchReply.more}, as message nodes that know it say).
         */
        public void replySayingMore(boolean more, long... mids) {
            answer.complete(
                    FetchReply.newBuilder()
                            .addAllMessages(messages(mids))
                            .setFloor(0)
                            .setMore(more)
                            .build());
        }

        /** Answers with these mids and no floor, as a message node older than it does. */
        public void replyWithoutFloor(long... mids) {
            answer.complete(FetchReply.newBuilder().addAllMessages(messages(mids)).build());
        }

        /** Answers with the mids {@code from} to {@code to}, both included (floor 0). */
        public void replyRange(long from, long to) {
            List<StoredMessage> page = new ArrayList<>();
            for (long mid = from; mid <= to; mid++) {
                page.add(message(mid));
            }
            answer.complete(FetchReply.newBuilder().addAllMessages(page).setFloor(0).build());
        }
    }

    private final List<Fetch> fetches = new CopyOnWriteArrayList<>();

    @Override
    public CompletableFuture<FetchReply> after(String key, long after, int limit) {
        Fetch fetch = new Fetch(key, after, limit, new CompletableFuture<>());
        fetches.add(fetch);
        return fetch.answer();
    }

    /** Every fetch so far, in order. */
    public List<Fetch> fetches() {
        return fetches;
    }

    /** The most recent fetch; fails if there is none. */
    public Fetch last() {
        if (fetches.isEmpty()) {
            throw new AssertionError("no fetch was made");
        }
        return fetches.get(fetches.size() - 1);
    }

    /** The payload every scripted message of {@code mid} carries. */
    public static String payload(long mid) {
        return "{\"n\":" + mid + "}";
    }

    public static StoredMessage message(long mid) {
        return StoredMessage.newBuilder()
                .setMid(mid)
                .setPayload(ByteString.copyFrom(payload(mid), StandardCharsets.UTF_8))
                .build();
    }

    public static List<StoredMessage> messages(long... mids) {
        List<StoredMessage> page = new ArrayList<>();
        for (long mid : mids) {
            page.add(message(mid));
        }
        return page;
    }
}
