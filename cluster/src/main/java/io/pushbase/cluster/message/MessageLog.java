package io.pushbase.cluster.message;

import io.pushbase.schema.message.v1.AppendReply;
import io.pushbase.schema.message.v1.AppendRequest;
import java.util.concurrent.CompletableFuture;

/**
 * Where comets (and web nodes, when a comet is unreachable) append messages: message nodes, through
 * a client that spreads calls and fails over between them. The future fails when no message node
 * could take the append within the client's bound; an append is idempotent by its claim, so the
 * client may retry it anywhere.
 */
public interface MessageLog {
    CompletableFuture<AppendReply> append(AppendRequest request);
}
