package io.pushbase.web.comet;

import io.pushbase.schema.comet.v1.DeliverRoomReply;
import io.pushbase.schema.comet.v1.DeliverRoomRequest;
import io.pushbase.schema.comet.v1.PushRoomReply;
import io.pushbase.schema.comet.v1.PushRoomRequest;
import io.pushbase.web.comet.CometDirectory.CometNode;
import java.util.concurrent.CompletableFuture;

/**
 * (Pushbase, issue 14) The calls the web node makes to comets for rooms: a room push to the room's
 * owner, and — when the owner cannot take it and the web node appended it itself — the message to
 * every comet. {@link CometClient} makes them over gRPC; futures fail with gRPC's {@code
 * StatusRuntimeException}. Nothing is retried; thread-safe, never blocking.
 */
public interface RoomComets {
    CompletableFuture<PushRoomReply> pushRoom(CometNode comet, PushRoomRequest request);

    /** One room message to the comet at {@code grpcAddress}. */
    CompletableFuture<DeliverRoomReply> deliverRoom(String grpcAddress, DeliverRoomRequest request);
}
