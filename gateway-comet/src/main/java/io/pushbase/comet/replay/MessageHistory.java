package io.pushbase.comet.replay;

import io.pushbase.schema.message.v1.StoredMessage;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where a replay reads a key's stored messages: the message nodes' {@code Fetch} (in a comet,
 * {@code cluster/message/MessageNodeClient::fetch}, which spreads and retries the call).
 *
 * <p>Implementations are thread-safe and non-blocking; the future may complete on any thread.
 */
@FunctionalInterface
public interface MessageHistory {

    /**
     * The unexpired stored messages of {@code key} with mid &gt; {@code after}, ascending, at most
     * {@code limit} (the message nodes also answer at most their per-key cap, from the key's newest
     * messages). Fails when no message node could answer within the client's bound.
     */
    CompletableFuture<List<StoredMessage>> after(String key, long after, int limit);
}
