package io.pushbase.comet.push;

import io.pushbase.schema.message.v1.AppendReply;
import io.pushbase.schema.message.v1.AppendRequest;
import io.pushbase.store.MessageStore;
import java.util.concurrent.CompletableFuture;

/** A {@link MessageLog} straight onto a {@link MessageStore}, as a message node would do it. */
final class StoreBackedLog implements MessageLog {
    private final MessageStore store;

    StoreBackedLog(MessageStore store) {
        this.store = store;
    }

    @Override
    public CompletableFuture<AppendReply> append(AppendRequest r) {
        return store.append(
                        r.getKey(),
                        r.getMid(),
                        r.getClaim().toByteArray(),
                        r.getPayload().toByteArray(),
                        r.getExpireSeconds())
                .thenApply(
                        a ->
                                AppendReply.newBuilder()
                                        .setAppended(a.appended())
                                        .setHead(a.head())
                                        .build());
    }
}
