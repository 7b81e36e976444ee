package io.pushbase.web.push;

import java.util.concurrent.CompletableFuture;

/**
 * Deletes a key's stored messages on the message nodes ({@code MessageNodeClient::delete} in the
 * web node). The future fails when no message node could delete them within the client's bound.
 */
@FunctionalInterface
public interface StoredMessages {
    CompletableFuture<Void> delete(String key);
}
