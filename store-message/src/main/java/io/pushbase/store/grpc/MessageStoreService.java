package io.pushbase.store.grpc;

import com.codahale.metrics.health.HealthCheckRegistry;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.stub.StreamObserver;
import io.pushbase.cluster.grpc.GrpcFutures;
import io.pushbase.cluster.health.NodeHealth;
import io.pushbase.schema.health.v1.HealthReply;
import io.pushbase.schema.health.v1.HealthRequest;
import io.pushbase.schema.message.v1.AckEntry;
import io.pushbase.schema.message.v1.AckManyReply;
import io.pushbase.schema.message.v1.AckManyRequest;
import io.pushbase.schema.message.v1.AckOutcome;
import io.pushbase.schema.message.v1.AppendManyReply;
import io.pushbase.schema.message.v1.AppendManyRequest;
import io.pushbase.schema.message.v1.AppendOutcome.Status;
import io.pushbase.schema.message.v1.AppendReply;
import io.pushbase.schema.message.v1.AppendRequest;
import io.pushbase.schema.message.v1.CursorsReply;
import io.pushbase.schema.message.v1.CursorsRequest;
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
import io.pushbase.store.cursor.Ack;
import io.pushbase.store.cursor.AckResult;
import io.pushbase.store.cursor.CursorStore;
import io.pushbase.store.cursor.DeviceCursor;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code MessageService} over a {@link MessageStore}: translates requests, never blocks, and maps
 * failures through {@link StoreStatuses} (answers through {@link GrpcFutures#answer}); {@code
 * Health} is answered by the node's {@link NodeHealth} (its checks run off the gRPC threads, at
 * most once per second). {@code AckMany} and {@code Cursors} (Pushbase, acknowledgements) are
 * answered by a {@link CursorStore}; a service built without one answers them {@code
 * UNIMPLEMENTED}. Thread-safe (stateless besides the stores and health it borrows).
 */
public final class MessageStoreService extends MessageServiceGrpc.MessageServiceImplBase {
    private final MessageStore store;
    private final String nodeId;
    private final NodeHealth health;
    private final CursorStore cursors;

    /** A service whose {@code Health} answers no check (tests and benchmarks). */
    public MessageStoreService(MessageStore store, String nodeId) {
        this(store, nodeId, new NodeHealth(new HealthCheckRegistry()));
    }

    /**
     * A service without cursors ({@code AckMany} and {@code Cursors} answer {@code UNIMPLEMENTED}).
     *
     * @param health the node's health checks, answered by {@code Health}; the caller owns it
     */
    public MessageStoreService(MessageStore store, String nodeId, NodeHealth health) {
        this(store, null, nodeId, health);
    }

    /**
     * @param cursors the device cursors ({@code AckMany}, {@code Cursors}); null: none
     * @param health the node's health checks, answered by {@code Health}; the caller owns it
     */
    public MessageStoreService(
            MessageStore store, CursorStore cursors, String nodeId, NodeHealth health) {
        this.store = store;
        this.cursors = cursors;
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
    public void ackMany(AckManyRequest req, StreamObserver<AckManyReply> out) {
        if (noCursors(out)) {
            return;
        }
        List<Ack> acks = new ArrayList<>(req.getEntriesCount());
        for (AckEntry e : req.getEntriesList()) {
            acks.add(new Ack(e.getKey(), e.getDevice(), e.getMid()));
        }
        GrpcFutures.answer(
                cursors.ackMany(acks),
                results -> {
                    AckManyReply.Builder reply = AckManyReply.newBuilder();
                    for (AckResult r : results) {
                        AckOutcome.Builder o =
                                reply.addOutcomesBuilder()
                                        .setStatus(status(r.status()))
                                        .setCursor(r.cursor());
                        if (r.problem() != null) {
                            o.setDescription(r.problem());
                        }
                    }
                    return reply.build();
                },
                StoreStatuses::toStatus,
                out);
    }

    private static AckOutcome.Status status(AckResult.Status s) {
        return switch (s) {
            case STORED -> AckOutcome.Status.STORED;
            case NOT_ISSUED -> AckOutcome.Status.NOT_ISSUED;
            case TOO_MANY_DEVICES -> AckOutcome.Status.TOO_MANY_DEVICES;
            case INVALID -> AckOutcome.Status.INVALID_ARGUMENT;
            case UNAVAILABLE -> AckOutcome.Status.UNAVAILABLE;
        };
    }

    @Override
    public void cursors(CursorsRequest req, StreamObserver<CursorsReply> out) {
        if (noCursors(out)) {
            return;
        }
        GrpcFutures.answer(
                cursors.cursors(req.getKey()),
                keyCursors -> {
                    CursorsReply.Builder reply =
                            CursorsReply.newBuilder().setHead(keyCursors.head());
                    for (DeviceCursor c : keyCursors.cursors()) {
                        reply.addCursorsBuilder()
                                .setDevice(c.device())
                                .setMid(c.mid())
                                .setAckedAtMillis(c.ackedAtMillis());
                    }
                    return reply.build();
                },
                StoreStatuses::toStatus,
                out);
    }

    private boolean noCursors(StreamObserver<?> out) {
        if (cursors != null) {
            return false;
        }
        out.onError(
                io.grpc.Status.UNIMPLEMENTED
                        .withDescription("this message node keeps no device cursors")
                        .asRuntimeException());
        return true;
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
