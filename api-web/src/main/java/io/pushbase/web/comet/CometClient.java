package io.pushbase.web.comet;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.pushbase.cluster.grpc.GrpcFutures;
import io.pushbase.schema.comet.v1.CloseReply;
import io.pushbase.schema.comet.v1.CloseRequest;
import io.pushbase.schema.comet.v1.CometPingReply;
import io.pushbase.schema.comet.v1.CometPingRequest;
import io.pushbase.schema.comet.v1.CometServiceGrpc;
import io.pushbase.schema.comet.v1.CometServiceGrpc.CometServiceFutureStub;
import io.pushbase.schema.comet.v1.DeliverRoomReply;
import io.pushbase.schema.comet.v1.DeliverRoomRequest;
import io.pushbase.schema.comet.v1.OnlineReply;
import io.pushbase.schema.comet.v1.OnlineRequest;
import io.pushbase.schema.comet.v1.PushManyReply;
import io.pushbase.schema.comet.v1.PushManyRequest;
import io.pushbase.schema.comet.v1.PushReply;
import io.pushbase.schema.comet.v1.PushRequest;
import io.pushbase.schema.comet.v1.PushRoomReply;
import io.pushbase.schema.comet.v1.PushRoomRequest;
import io.pushbase.schema.health.v1.HealthReply;
import io.pushbase.schema.health.v1.HealthRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Calls a comet's {@code CometService} through its future stub, each call bounded by a deadline.
 * Futures fail with gRPC's {@code StatusRuntimeException} (the comet's status, or {@code
 * UNAVAILABLE} / {@code DEADLINE_EXCEEDED} when it cannot be reached in time, {@code INTERNAL} when
 * it answered no value); nothing is retried here, the caller knows what a retry would mean.
 *
 * <p>The push deadline must exceed the comet's own bound for appending to message nodes ({@code
 * messageNodes.totalTimeout} in comet.yml), or the web node gives up on pushes the comet still
 * completes. Thread-safe; borrows the {@link CometChannels}.
 */
public final class CometClient implements Comets, RoomComets {
    private final CometChannels channels;
    private final long pushDeadlineMillis;
    private final long controlDeadlineMillis;

    /**
     * @param pushDeadlineMillis bound of Push and PushMany
     * @param controlDeadlineMillis bound of Close, Online and Ping
     */
    public CometClient(
            CometChannels channels, long pushDeadlineMillis, long controlDeadlineMillis) {
        this.channels = channels;
        this.pushDeadlineMillis = pushDeadlineMillis;
        this.controlDeadlineMillis = controlDeadlineMillis;
    }

    @Override
    public CompletableFuture<PushReply> push(CometDirectory.CometNode comet, PushRequest request) {
        return call(comet, pushDeadlineMillis, stub -> stub.push(request));
    }

    @Override
    public CompletableFuture<PushManyReply> pushMany(
            CometDirectory.CometNode comet, PushManyRequest request) {
        return call(comet, pushDeadlineMillis, stub -> stub.pushMany(request));
    }

    @Override
    public CompletableFuture<CloseReply> close(
            CometDirectory.CometNode comet, CloseRequest request) {
        return call(comet, controlDeadlineMillis, stub -> stub.close(request));
    }

    @Override
    public CompletableFuture<PushRoomReply> pushRoom(
            CometDirectory.CometNode comet, PushRoomRequest request) {
        return call(comet, pushDeadlineMillis, stub -> stub.pushRoom(request));
    }

    @Override
    public CompletableFuture<DeliverRoomReply> deliverRoom(
            String grpcAddress, DeliverRoomRequest request) {
        return call(grpcAddress, pushDeadlineMillis, stub -> stub.deliverRoom(request));
    }

    /**
     * (Pushbase) Members of {@code room} on the comet at {@code grpcAddress}, bounded by {@code
     * deadlineMillis}: room presence asks every comet at once.
     */
    public CompletableFuture<Integer> roomMembers(
            String grpcAddress, String room, long deadlineMillis) {
        OnlineRequest request = OnlineRequest.newBuilder().addRooms(room).build();
        return call(grpcAddress, deadlineMillis, stub -> stub.online(request))
                .thenApply(r -> r.getRoomMembersOrDefault(room, 0));
    }

    /** Live connections of {@code key} on {@code comet} (0 when it holds none). */
    public CompletableFuture<Integer> online(CometDirectory.CometNode comet, String key) {
        return connections(key, call(comet, controlDeadlineMillis, onlineOf(key)));
    }

    /**
     * Live connections of {@code key} on the comet at {@code grpcAddress} (which need not be on the
     * ring), bounded by {@code deadlineMillis}: presence asks every comet at once.
     */
    public CompletableFuture<Integer> online(String grpcAddress, String key, long deadlineMillis) {
        return connections(key, call(grpcAddress, deadlineMillis, onlineOf(key)));
    }

    private static Function<CometServiceFutureStub, ListenableFuture<OnlineReply>> onlineOf(
            String key) {
        OnlineRequest request = OnlineRequest.newBuilder().addKeys(key).build();
        return stub -> stub.online(request);
    }

    private static CompletableFuture<Integer> connections(
            String key, CompletableFuture<OnlineReply> reply) {
        return reply.thenApply(r -> r.getConnectionsOrDefault(key, 0));
    }

    /** Pings the comet at {@code grpcAddress}, which need not be on the ring (a standby). */
    public CompletableFuture<CometPingReply> ping(String grpcAddress) {
        return ping(grpcAddress, controlDeadlineMillis);
    }

    /** {@link #ping(String)} bounded by {@code deadlineMillis} instead of the control deadline. */
    public CompletableFuture<CometPingReply> ping(String grpcAddress, long deadlineMillis) {
        return call(
                grpcAddress,
                deadlineMillis,
                stub -> stub.ping(CometPingRequest.getDefaultInstance()));
    }

    /**
     * The health checks of the comet at {@code grpcAddress} (a standby too), bounded by {@code
     * deadlineMillis} rather than the control deadline: the cluster view asks every comet at once.
     */
    public CompletableFuture<HealthReply> health(String grpcAddress, long deadlineMillis) {
        return call(
                grpcAddress,
                deadlineMillis,
                stub -> stub.health(HealthRequest.getDefaultInstance()));
    }

    private <R> CompletableFuture<R> call(
            CometDirectory.CometNode comet,
            long deadlineMillis,
            Function<CometServiceFutureStub, ListenableFuture<R>> rpc) {
        return comet.address("grpc")
                .map(address -> call(address, deadlineMillis, rpc))
                .orElseGet(() -> CompletableFuture.failedFuture(noGrpcAddress(comet.instanceId())));
    }

    /** The failure of a call to a comet registered without a {@code grpc} address. */
    public static StatusRuntimeException noGrpcAddress(String instanceId) {
        return Status.UNAVAILABLE
                .withDescription("comet " + instanceId + " registered no grpc address")
                .asRuntimeException();
    }

    private <R> CompletableFuture<R> call(
            String address,
            long deadlineMillis,
            Function<CometServiceFutureStub, ListenableFuture<R>> rpc) {
        CometServiceFutureStub stub =
                CometServiceGrpc.newFutureStub(channels.channel(address))
                        .withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
        return GrpcFutures.toCompletableFuture(rpc.apply(stub));
    }
}
