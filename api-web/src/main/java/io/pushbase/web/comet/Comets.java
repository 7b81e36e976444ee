package io.pushbase.web.comet;

import io.pushbase.schema.comet.v1.CloseReply;
import io.pushbase.schema.comet.v1.CloseRequest;
import io.pushbase.schema.comet.v1.PushManyReply;
import io.pushbase.schema.comet.v1.PushManyRequest;
import io.pushbase.schema.comet.v1.PushReply;
import io.pushbase.schema.comet.v1.PushRequest;
import io.pushbase.web.comet.CometDirectory.CometNode;
import java.util.concurrent.CompletableFuture;

/**
 * The calls the web node makes to a comet's {@code CometService} to push and close keys; {@link
 * CometClient} makes them over gRPC. Futures fail with gRPC's {@code StatusRuntimeException}: the
 * comet's status, or {@code UNAVAILABLE} / {@code DEADLINE_EXCEEDED} when it cannot be reached in
 * time. Nothing is retried; implementations are thread-safe and never block.
 */
public interface Comets {
    CompletableFuture<PushReply> push(CometNode comet, PushRequest request);

    CompletableFuture<PushManyReply> pushMany(CometNode comet, PushManyRequest request);

    CompletableFuture<CloseReply> close(CometNode comet, CloseRequest request);
}
