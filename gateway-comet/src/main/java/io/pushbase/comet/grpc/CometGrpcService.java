package io.pushbase.comet.grpc;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.pushbase.cluster.grpc.GrpcFutures;
import io.pushbase.cluster.health.NodeHealth;
import io.pushbase.cluster.message.AppendClaim;
import io.pushbase.cluster.message.AppendQueueFullException;
import io.pushbase.comet.channel.KeyChannels;
import io.pushbase.comet.push.PushPipeline;
import io.pushbase.comet.push.PushRejectedException;
import io.pushbase.comet.push.RoomPipeline;
import io.pushbase.comet.room.RoomIndex;
import io.pushbase.schema.comet.v1.CloseReply;
import io.pushbase.schema.comet.v1.CloseRequest;
import io.pushbase.schema.comet.v1.CometPingReply;
import io.pushbase.schema.comet.v1.CometPingRequest;
import io.pushbase.schema.comet.v1.CometServiceGrpc;
import io.pushbase.schema.comet.v1.CometTraffic;
import io.pushbase.schema.comet.v1.DeliverRoomReply;
import io.pushbase.schema.comet.v1.DeliverRoomRequest;
import io.pushbase.schema.comet.v1.OnlineReply;
import io.pushbase.schema.comet.v1.OnlineRequest;
import io.pushbase.schema.comet.v1.PushClaim;
import io.pushbase.schema.comet.v1.PushManyReply;
import io.pushbase.schema.comet.v1.PushManyRequest;
import io.pushbase.schema.comet.v1.PushReply;
import io.pushbase.schema.comet.v1.PushRequest;
import io.pushbase.schema.comet.v1.PushRoomReply;
import io.pushbase.schema.comet.v1.PushRoomRequest;
import io.pushbase.schema.health.v1.HealthReply;
import io.pushbase.schema.health.v1.HealthRequest;
import java.util.function.Supplier;

/**
 * {@code CometService} over the comet's {@link PushPipeline} and {@link KeyChannels}: a thin
 * adapter that never blocks and maps every failure to one {@link Status} (see {@link #toStatus}).
 * Thread-safe.
 */
public final class CometGrpcService extends CometServiceGrpc.CometServiceImplBase {
    private final PushPipeline pushes;
    private final KeyChannels channels;
    private final String nodeName;
    private final Supplier<String> role;
    private final Supplier<CometTraffic> traffic;
    private final NodeHealth health;
    private final RoomPipeline rooms;
    private final RoomIndex roomIndex;

    /** A comet without rooms: {@code PushRoom} and {@code DeliverRoom} answer UNIMPLEMENTED. */
    public CometGrpcService(
            PushPipeline pushes,
            KeyChannels channels,
            String nodeName,
            Supplier<String> role,
            Supplier<CometTraffic> traffic,
            NodeHealth health) {
        this(pushes, channels, nodeName, role, traffic, health, null, null);
    }

    /**
     * @param role this comet's role now ({@code leader}, {@code standby}, ...)
     * @param traffic its push traffic now, answered by {@code Ping}
     * @param health the comet's health checks, answered by {@code Health} (run off the gRPC
     *     threads, at most once per second: {@link NodeHealth})
     * @param rooms (Pushbase) room pushes and deliveries
     * @param roomIndex (Pushbase) the members of rooms here ({@code Online}'s rooms)
     */
    public CometGrpcService(
            PushPipeline pushes,
            KeyChannels channels,
            String nodeName,
            Supplier<String> role,
            Supplier<CometTraffic> traffic,
            NodeHealth health,
            RoomPipeline rooms,
            RoomIndex roomIndex) {
        this.rooms = rooms;
        this.roomIndex = roomIndex;
        this.pushes = pushes;
        this.channels = channels;
        this.nodeName = nodeName;
        this.role = role;
        this.traffic = traffic;
        this.health = health;
    }

    @Override
    public void push(PushRequest req, StreamObserver<PushReply> out) {
        // The web node's deadline passing cancels this context: a push whose turn comes later is
        // not appended (the web node stores it itself meanwhile).
        Context call = Context.current();
        GrpcFutures.answer(
                pushes.push(
                        req.getKey(),
                        req.getPayload().toByteArray(),
                        req.getExpireSeconds(),
                        claim(req.hasClaim() ? req.getClaim() : null),
                        call::isCancelled),
                p ->
                        PushReply.newBuilder()
                                .setMid(p.mid())
                                .setDelivered(p.delivered())
                                .setDuplicate(p.duplicate())
                                .build(),
                CometGrpcService::toStatus,
                out);
    }

    @Override
    public void pushMany(PushManyRequest req, StreamObserver<PushManyReply> out) {
        Context call = Context.current();
        GrpcFutures.answer(
                pushes.pushMany(
                        req.getKeysList(),
                        req.getPayload().toByteArray(),
                        req.getExpireSeconds(),
                        req.hasClaim() ? claim(req.getClaim()) : null,
                        call::isCancelled),
                pushed ->
                        PushManyReply.newBuilder()
                                .addAllFailedKeys(pushed.failedKeys())
                                .addAllDuplicateKeys(pushed.duplicateKeys())
                                .build(),
                CometGrpcService::toStatus,
                out);
    }

    @Override
    public void pushRoom(PushRoomRequest req, StreamObserver<PushRoomReply> out) {
        if (rooms == null) {
            out.onError(Status.UNIMPLEMENTED.withDescription("no rooms here").asException());
            return;
        }
        Context call = Context.current();
        GrpcFutures.answer(
                rooms.push(
                        req.getRoom(),
                        req.getPayload().toByteArray(),
                        req.getExpireSeconds(),
                        req.getSpreadMillis(),
                        claim(req.hasClaim() ? req.getClaim() : null),
                        call::isCancelled),
                p ->
                        PushRoomReply.newBuilder()
                                .setMid(p.mid())
                                .setDelivered(p.delivered())
                                .setDuplicate(p.duplicate())
                                .setPeers(p.peers())
                                .build(),
                CometGrpcService::toStatus,
                out);
    }

    @Override
    public void deliverRoom(DeliverRoomRequest req, StreamObserver<DeliverRoomReply> out) {
        if (rooms == null) {
            out.onError(Status.UNIMPLEMENTED.withDescription("no rooms here").asException());
            return;
        }
        GrpcFutures.answer(
                rooms.deliver(
                        req.getRoom(),
                        req.getMid(),
                        req.getPayload().toByteArray(),
                        req.getSpreadMillis()),
                n -> DeliverRoomReply.newBuilder().setDelivered(n).build(),
                CometGrpcService::toStatus,
                out);
    }

    @Override
    public void close(CloseRequest req, StreamObserver<CloseReply> out) {
        out.onNext(CloseReply.newBuilder().setClosed(channels.close(req.getKey())).build());
        out.onCompleted();
    }

    @Override
    public void online(OnlineRequest req, StreamObserver<OnlineReply> out) {
        OnlineReply.Builder reply = OnlineReply.newBuilder();
        for (String key : req.getKeysList()) {
            reply.putConnections(key, channels.count(key));
        }
        for (String room : req.getRoomsList()) {
            reply.putRoomMembers(room, roomIndex == null ? 0 : roomIndex.count(room));
        }
        out.onNext(reply.build());
        out.onCompleted();
    }

    @Override
    public void ping(CometPingRequest req, StreamObserver<CometPingReply> out) {
        out.onNext(
                CometPingReply.newBuilder()
                        .setNodeName(nodeName)
                        .setRole(role.get())
                        .setConnections(channels.connectionCount())
                        .setTraffic(traffic.get())
                        .build());
        out.onCompleted();
    }

    @Override
    public void health(HealthRequest req, StreamObserver<HealthReply> out) {
        health.answer(out);
    }

    /**
     * The claim the web node chose for a push (shared: its fallback may append with it too), or a
     * random one of the comet's own when the request has none (an older web node).
     */
    static AppendClaim claim(PushClaim claim) {
        if (claim == null || claim.getClaim().isEmpty()) {
            return AppendClaim.random();
        }
        return new AppendClaim(
                claim.getClaim(),
                claim.getIdempotent(),
                true,
                claim.getIdempotent() ? claim.getIdempotencyWindowSeconds() : 0);
    }

    /** The one mapping from push failures to gRPC statuses; descriptions name the problem. */
    static Status toStatus(Throwable failure) {
        Throwable t = GrpcFutures.unwrap(failure);
        if (t instanceof PushRejectedException r) {
            Status status =
                    switch (r.reason()) {
                        case INVALID -> Status.INVALID_ARGUMENT;
                        case NOT_OWNER -> Status.FAILED_PRECONDITION;
                        case OVERLOADED -> Status.RESOURCE_EXHAUSTED;
                        case ABANDONED -> Status.CANCELLED;
                    };
            return status.withDescription(r.getMessage());
        }
        if (t instanceof AppendQueueFullException) {
            // Message nodes are not keeping up: shed load like a full push queue.
            return Status.RESOURCE_EXHAUSTED.withDescription(
                    "message not stored, nothing delivered: " + t.getMessage());
        }
        if (t instanceof StatusRuntimeException s
                && s.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
            // The message node refused the message itself (e.g. expire beyond its retention).
            return s.getStatus();
        }
        return Status.UNAVAILABLE.withDescription(
                "message not stored, nothing delivered: " + t.getMessage());
    }
}
