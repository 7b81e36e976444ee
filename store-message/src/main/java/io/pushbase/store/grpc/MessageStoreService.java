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
import io.pushbase.store.InvalidArgumentException;
import io.pushbase.store.MessageStore;
import io.pushbase.store.StoredMessage;
import io.pushbase.store.cursor.Ack;
import io.pushbase.store.cursor.AckResult;
import io.pushbase.store.cursor.CursorStore;
import io.pushbase.store.cursor.DeviceCursor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

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
    private final MessageStore rooms;
    private final String nodeId;
    private final NodeHealth health;
    private final CursorStore cursors;

    /**
     * A service whose {@code Health} answers no check (tests and benchmarks); no room logs or
     * cursors.
     */
    public MessageStoreService(MessageStore store, String nodeId) {
        this(store, null, null, nodeId, new NodeHealth(new HealthCheckRegistry()));
    }

    /**
     * A service without room logs or cursors: a request naming a room, {@code AckMany} and {@code
     * Cursors} are answered {@code UNIMPLEMENTED}.
     *
     * @param health the node's health checks, answered by {@code Health}; the caller owns it
     */
    public MessageStoreService(MessageStore store, String nodeId, NodeHealth health) {
        this(store, null, null, nodeId, health);
    }

    /**
     * (Pushbase) A service of key logs ({@code store}), room logs ({@code rooms}, a store of {@code
     * LogSpace.ROOMS}; null for none: a request with {@code room} set goes to the latter,
     * docs/STORE.md "Room logs") and device cursors ({@code cursors}, answering {@code AckMany} and
     * {@code Cursors}; null for none).
     *
     * @param health the node's health checks, answered by {@code Health}; the caller owns it
     */
    public MessageStoreService(
            MessageStore store,
            MessageStore rooms,
            CursorStore cursors,
            String nodeId,
            NodeHealth health) {
        this.store = store;
        this.rooms = rooms;
        this.cursors = cursors;
        this.nodeId = nodeId;
        this.health = health;
    }

    /**
     * The store of the log a request names: the keys' when {@code room} is empty, else the rooms'
     * (and then {@code key} must be empty).
     */
    private MessageStore storeFor(String key, String room) {
        if (room.isEmpty()) {
            return store;
        }
        if (!key.isEmpty()) {
            throw new InvalidArgumentException("a request names a key or a room, not both");
        }
        if (rooms == null) {
            throw new IllegalStateException("this message node serves no room logs");
        }
        return rooms;
    }

    /** The name of the log a request names: its room when set, else its key. */
    private static String logName(String key, String room) {
        return room.isEmpty() ? key : room;
    }

    private static <T> CompletableFuture<T> refused(RuntimeException e) {
        return CompletableFuture.failedFuture(e);
    }

    /** Runs {@code call} on the store the request names; a bad name fails the future. */
    private <T> CompletableFuture<T> on(
            String key, String room, Function<MessageStore, CompletableFuture<T>> call) {
        MessageStore target;
        try {
            target = storeFor(key, room);
        } catch (InvalidArgumentException | IllegalStateException e) {
            return refused(e);
        }
        return call.apply(target);
    }

    @Override
    public void append(AppendRequest req, StreamObserver<AppendReply> out) {
        GrpcFutures.answer(
                on(req.getKey(), req.getRoom(), s -> s.append(entry(req))),
                MessageStoreService::reply,
                MessageStoreService::toStatus,
                out);
    }

    @Override
    public void appendMany(AppendManyRequest req, StreamObserver<AppendManyReply> out) {
        List<AppendEntry> keyEntries = new ArrayList<>(req.getEntriesCount());
        List<AppendEntry> roomEntries = new ArrayList<>();
        // Where each request entry's outcome comes from: its index among the room entries
        // (negative: -1 - index among the key entries), or null when it is refused up front.
        Integer[] slots = new Integer[req.getEntriesCount()];
        AppendOutcome[] refusedUpFront = new AppendOutcome[req.getEntriesCount()];
        for (int i = 0; i < req.getEntriesCount(); i++) {
            AppendRequest e = req.getEntries(i);
            if (e.getRoom().isEmpty()) {
                slots[i] = -1 - keyEntries.size();
                keyEntries.add(entry(e));
            } else if (!e.getKey().isEmpty() || rooms == null) {
                refusedUpFront[i] =
                        AppendOutcome.failed(
                                new InvalidArgumentException(
                                        rooms == null
                                                ? "this message node serves no room logs"
                                                : "a request names a key or a room, not both"));
            } else {
                slots[i] = roomEntries.size();
                roomEntries.add(entry(e));
            }
        }
        if (roomEntries.isEmpty() && refusedUpFront.length == keyEntries.size()) {
            // Only keys: exactly as before rooms existed (the store checks the batch's size).
            GrpcFutures.answer(
                    store.appendMany(keyEntries),
                    MessageStoreService::outcomes,
                    MessageStoreService::toStatus,
                    out);
            return;
        }
        CompletableFuture<List<AppendOutcome>> keyOutcomes =
                keyEntries.isEmpty()
                        ? CompletableFuture.completedFuture(List.of())
                        : store.appendMany(keyEntries);
        CompletableFuture<List<AppendOutcome>> roomOutcomes =
                roomEntries.isEmpty()
                        ? CompletableFuture.completedFuture(List.of())
                        : rooms.appendMany(roomEntries);
        GrpcFutures.answer(
                keyOutcomes.thenCombine(
                        roomOutcomes,
                        (forKeys, forRooms) -> {
                            List<AppendOutcome> all = new ArrayList<>(slots.length);
                            for (int i = 0; i < slots.length; i++) {
                                Integer slot = slots[i];
                                all.add(
                                        slot == null
                                                ? refusedUpFront[i]
                                                : slot < 0
                                                        ? forKeys.get(-1 - slot)
                                                        : forRooms.get(slot));
                            }
                            return all;
                        }),
                MessageStoreService::outcomes,
                MessageStoreService::toStatus,
                out);
    }

    private static AppendManyReply outcomes(List<AppendOutcome> outcomes) {
        AppendManyReply.Builder reply = AppendManyReply.newBuilder();
        for (AppendOutcome o : outcomes) {
            reply.addOutcomes(outcome(o));
        }
        return reply.build();
    }

    /** {@link StoreStatuses}, plus {@code UNIMPLEMENTED} for a room on a node without room logs. */
    private static io.grpc.Status toStatus(Throwable failure) {
        Throwable t = GrpcFutures.unwrap(failure);
        if (t instanceof IllegalStateException) {
            return io.grpc.Status.UNIMPLEMENTED.withDescription(t.getMessage());
        }
        return StoreStatuses.toStatus(failure);
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

    /**
     * An append request as the store's entry, as the node reads it (a room's entry names the room:
     * it goes to the rooms' store).
     */
    public static AppendEntry entry(AppendRequest e) {
        return new AppendEntry(
                e.getRoom().isEmpty() ? e.getKey() : e.getRoom(),
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
                on(
                        req.getKey(),
                        req.getRoom(),
                        s ->
                                s.fetch(
                                        logName(req.getKey(), req.getRoom()),
                                        req.getAfter(),
                                        req.getLimit(),
                                        req.getWithFloor())),
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
                MessageStoreService::toStatus,
                out);
    }

    @Override
    public void last(LastRequest req, StreamObserver<LastReply> out) {
        GrpcFutures.answer(
                on(req.getKey(), req.getRoom(), s -> s.last(logName(req.getKey(), req.getRoom()))),
                mid -> LastReply.newBuilder().setMid(mid).build(),
                MessageStoreService::toStatus,
                out);
    }

    @Override
    public void delete(DeleteRequest req, StreamObserver<DeleteReply> out) {
        GrpcFutures.answer(
                on(
                        req.getKey(),
                        req.getRoom(),
                        s -> s.delete(logName(req.getKey(), req.getRoom()))),
                v -> DeleteReply.getDefaultInstance(),
                MessageStoreService::toStatus,
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
