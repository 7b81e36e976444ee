package io.pushbase.store.grpc;

import com.codahale.metrics.health.HealthCheckRegistry;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.stub.StreamObserver;
import io.pushbase.cluster.grpc.GrpcFutures;
import io.pushbase.cluster.health.NodeHealth;
import io.pushbase.schema.health.v1.HealthReply;
import io.pushbase.schema.health.v1.HealthRequest;
import io.pushbase.schema.message.v1.AppendManyReply;
import io.pushbase.schema.message.v1.AppendManyRequest;
import io.pushbase.schema.message.v1.AppendOutcome.Status;
import io.pushbase.schema.message.v1.AppendReply;
import io.pushbase.schema.message.v1.AppendRequest;
import io.pushbase.schema.message.v1.DeleteReply;
import io.pushbase.schema.message.v1.DeleteRequest;
import io.pushbase.schema.message.v1.FetchReply;
import io.pushbase.schema.message.v1.FetchRequest;
import io.pushbase.schema.message.v1.LastReply;
import io.pushbase.schema.message.v1.LastRequest;
import io.pushbase.schema.message.v1.MessageServiceGrpc;
import io.pushbase.schema.message.v1.PingReply;
import io.pushbase.schema.message.v1.PingRequest;
import io.pushbase.store.AppendEntry;
import io.pushbase.store.AppendOutcome;
import io.pushbase.store.AppendResult;
import io.pushbase.store.MessageStore;
import io.pushbase.store.StoredMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code MessageService} over a {@link MessageStore}: translates requests, never blocks, and maps
 * failures through {@link StoreStatuses} (answers through {@link GrpcFutures#answer}); {@code
 * Health} is answered by the node's {@link NodeHealth} (its checks run off the gRPC threads, at
 * most once per second). Thread-safe (stateless besides the store and health it borrows).
 */
public final class MessageStoreService extends MessageServiceGrpc.MessageServiceImplBase {
    private final MessageStore store;
    private final String nodeId;
    private final NodeHealth health;

    /** A service whose {@code Health} answers no check (tests and benchmarks). */
    public MessageStoreService(MessageStore store, String nodeId) {
        this(store, nodeId, new NodeHealth(new HealthCheckRegistry()));
    }

    /**
     * @param health the node's health checks, answered by {@code Health}; the caller owns it
     */
    public MessageStoreService(MessageStore store, String nodeId, NodeHealth health) {
        this.store = store;
        this.nodeId = nodeId;
        this.health = health;
    }

    @Override
    public void append(AppendRequest req, StreamObserver<AppendReply> out) {
        GrpcFutures.answer(
                store.append(entry(req)), MessageStoreService::reply, StoreStatuses::toStatus, out);
    }

    @Override
    public void appendMany(AppendManyRequest req, StreamObserver<AppendManyReply> out) {
        List<AppendEntry> entries = new ArrayList<>(req.getEntriesCount());
        for (AppendRequest e : req.getEntriesList()) {
            entries.add(entry(e));
        }
        GrpcFutures.answer(
                store.appendMany(entries),
                outcomes -> {
                    AppendManyReply.Builder reply = AppendManyReply.newBuilder();
                    for (AppendOutcome o : outcomes) {
                        reply.addOutcomes(outcome(o));
                    }
                    return reply.build();
                },
                StoreStatuses::toStatus,
                out);
    }

    /** The reply of an append, as the node answers it. */
    public static AppendReply reply(AppendResult r) {
        return AppendReply.newBuilder()
                .setAppended(r.appended())
                .setHead(r.head())
                .setClaimedMid(r.claimedMid())
                .setDuplicate(r.duplicate())
                .build();
    }

    /** An append request as the store's entry, as the node reads it. */
    public static AppendEntry entry(AppendRequest e) {
        return new AppendEntry(
                e.getKey(),
                e.getMid(),
                e.getClaim().toByteArray(),
                e.getPayload().toByteArray(),
                e.getExpireSeconds(),
                e.getFindClaim(),
                e.getIndexSeconds());
    }

    private static io.pushbase.schema.message.v1.AppendOutcome outcome(AppendOutcome o) {
        var b = io.pushbase.schema.message.v1.AppendOutcome.newBuilder();
        if (o.failure() == null) {
            return b.setStatus(o.appended() ? Status.APPENDED : Status.REFUSED)
                    .setHead(o.result().head())
                    .setClaimedMid(o.result().claimedMid())
                    .setDuplicate(o.result().duplicate())
                    .build();
        }
        io.grpc.Status status = StoreStatuses.toStatus(o.failure());
        return b.setStatus(
                        status.getCode() == io.grpc.Status.Code.INVALID_ARGUMENT
                                ? Status.INVALID_ARGUMENT
                                : Status.UNAVAILABLE)
                .setDescription(String.valueOf(status.getDescription()))
                .build();
    }

    @Override
    public void fetch(FetchRequest req, StreamObserver<FetchReply> out) {
        GrpcFutures.answer(
                store.fetch(req.getKey(), req.getAfter(), req.getLimit(), req.getWithFloor()),
                page -> {
                    FetchReply.Builder reply = FetchReply.newBuilder().setMore(page.more());
                    if (req.getWithFloor()) {
                        reply.setFloor(page.floor());
                    }
                    for (StoredMessage m : page.messages()) {
                        reply.addMessagesBuilder()
                                .setMid(m.mid())
                                .setPayload(UnsafeByteOperations.unsafeWrap(m.payload()))
                                .setExpiresAtMillis(m.expiresAtMillis());
                    }
                    return reply.build();
                },
                StoreStatuses::toStatus,
                out);
    }

    @Override
    public void last(LastRequest req, StreamObserver<LastReply> out) {
        GrpcFutures.answer(
                store.last(req.getKey()),
                mid -> LastReply.newBuilder().setMid(mid).build(),
                StoreStatuses::toStatus,
                out);
    }

    @Override
    public void delete(DeleteRequest req, StreamObserver<DeleteReply> out) {
        GrpcFutures.answer(
                store.delete(req.getKey()),
                v -> DeleteReply.getDefaultInstance(),
                StoreStatuses::toStatus,
                out);
    }

    @Override
    public void ping(PingRequest req, StreamObserver<PingReply> out) {
        out.onNext(PingReply.newBuilder().setNode(nodeId).build());
        out.onCompleted();
    }

    @Override
    public void health(HealthRequest req, StreamObserver<HealthReply> out) {
        health.answer(out);
    }
}
