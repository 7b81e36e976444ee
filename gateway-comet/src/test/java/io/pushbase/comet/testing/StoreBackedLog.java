package io.pushbase.comet.testing;

import io.pushbase.cluster.message.MessageLog;
import io.pushbase.schema.message.v1.AppendReply;
import io.pushbase.schema.message.v1.AppendRequest;
import io.pushbase.store.MessageStore;
import io.pushbase.store.grpc.MessageStoreService;
import io.pushbase.store.grpc.StoreStatuses;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link MessageLog} straight onto a {@link MessageStore}, failing as a message node's gRPC
 * answer would (through the node's own {@link StoreStatuses} mapping).
 */
public final class StoreBackedLog implements MessageLog {
    private final MessageStore store;

    public StoreBackedLog(MessageStore store) {
        this.store = store;
    }

    @Override
    public CompletableFuture<AppendReply> append(AppendRequest r) {
        return store.append(MessageStoreService.entry(r)).thenApply(MessageStoreService::reply);
    }
}
