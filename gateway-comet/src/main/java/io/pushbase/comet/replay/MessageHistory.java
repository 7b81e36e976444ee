package io.pushbase.comet.replay;

import io.pushbase.schema.message.v1.FetchReply;
import java.util.concurrent.CompletableFuture;

/**
 * Where a replay reads a key's stored messages: the message nodes' {@code Fetch} (in a comet,
 * {@code cluster/message/MessageNodeClient::fetchWithFloor}, which spreads and retries the call).
 *
 * <p>Implementations are thread-safe and non-blocking; the future may complete on any thread.
 */
@FunctionalInterface
public interface MessageHistory {

    /**
     * The unexpired stored messages of {@code key} with mid &gt; {@code after}, ascending, at most
     * {@code limit} (the message nodes also answer at most their per-key cap, from the key's newest
     * messages), with the key's low-water mark ({@code FetchReply.floor}: every message with mid at
     * or below it may be gone; absent from a node that does not know it) and whether more messages
     * follow the page ({@code FetchReply.more}; absent likewise). Fails when no message node could
     * answer within the client's bound.
     */
    CompletableFuture<FetchReply> after(String key, long after, int limit);
}
