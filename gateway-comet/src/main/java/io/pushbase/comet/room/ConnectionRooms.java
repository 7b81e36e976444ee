package io.pushbase.comet.room;

import com.codahale.metrics.Counter;
import io.netty.util.AttributeKey;
import io.pushbase.comet.codec.Reply;
import io.pushbase.comet.codec.RoomReply;
import io.pushbase.comet.replay.ResumingSubscriber;
import io.pushbase.comet.subscription.ChannelSubscriber;
import io.pushbase.comet.subscription.RoomRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * (Pushbase, issue 14) The rooms of one connection (TCP, WebSocket or a Server-Sent Events stream):
 * joins and leaves, with their rules in this order — the token's claim ({@code auth}), the
 * connection's bound ({@code limit}: {@code maxRoomsPerConnection}), the room's bound on this comet
 * ({@code full}: {@code maxMembersPerRoom}); the name and since rules ({@code name}, {@code since})
 * are the parser's, before. Each refusal is counted ({@code comet.rooms.refused.<reason>}). Joining
 * a room the connection is in already is answered as a join and changes nothing; leaving one it is
 * not in is answered as a leave.
 *
 * <p>A join with a since resumes the room like a key's resume (docs/REPLAY.md): the member holds
 * the room's live messages while the room's stored messages after the since are replayed, and the
 * replay answers {@code +j <room> complete|truncated} before the first of them. A leave during the
 * replay stops it.
 *
 * <p>Threading: {@link #join}, {@link #leave} and the replays run on the connection's event loop;
 * the cleanup on close runs wherever the close completes (it only removes members from the index).
 * Held by the channel ({@link #KEY}) from admission to close.
 */
public final class ConnectionRooms {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionRooms.class);

    /** Where a connection keeps its rooms (for the command handler). */
    public static final AttributeKey<ConnectionRooms> KEY =
            AttributeKey.valueOf(ConnectionRooms.class, "rooms");

    /** A join's outcome: the reply to write now (null: the replay writes it) and what to start. */
    public record Joined(RoomReply reply, Runnable start) {
        /** Whether the join was refused ({@link #reply} is then the refusal). */
        public boolean refused() {
            return reply != null && reply.isRefusal();
        }
    }

    private static final Runnable NOTHING = () -> {};

    private final RoomJoins joins;
    private final ChannelSubscriber connection;
    private final Supplier<RoomAccess> claim;
    private RoomAccess access; // guarded by this; read from the claim at the first join
    private final Counter slowConsumers;
    private final Map<String, RoomMember> joined = new LinkedHashMap<>(); // guarded by this
    private boolean closed; // guarded by this

    ConnectionRooms(
            RoomJoins joins,
            ChannelSubscriber connection,
            Supplier<RoomAccess> claim,
            Counter slowConsumers) {
        this.joins = joins;
        this.connection = connection;
        this.claim = claim;
        this.slowConsumers = slowConsumers;
        connection.closeFuture().thenRun(this::leaveAll);
    }

    /**
     * Joins {@code request}'s room. The returned reply is written by the caller now (after {@code
     * +h} at subscribe); {@link Joined#start} begins the room's replay when it has a since (which
     * writes {@code +j <room> complete|truncated} itself), after that reply.
     *
     * @param write writes a room reply on the connection, in its transport's framing (the replay's
     *     completeness answer)
     */
    public Joined join(RoomRequest request, Consumer<RoomReply> write) {
        String room = request.room();
        if (!access().allows(room)) {
            return refuse(room, RoomReply.Refusal.AUTH);
        }
        RoomMember member;
        synchronized (this) {
            if (closed) {
                return new Joined(RoomReply.joined(room), NOTHING);
            }
            if (joined.containsKey(room)) {
                return new Joined(RoomReply.joined(room), NOTHING);
            }
            if (joined.size() >= joins.settings().maxRoomsPerConnection()) {
                return refuse(room, RoomReply.Refusal.LIMIT);
            }
            member = new RoomMember(room, connection.forRoom(room));
            ResumingSubscriber resuming = null;
            if (request.since().isPresent()) {
                resuming =
                        joins.replayer()
                                .subscriber(
                                        member.target(),
                                        request.since().getAsLong(),
                                        slowConsumers,
                                        reply ->
                                                write.accept(
                                                        RoomReply.joined(
                                                                room,
                                                                reply == Reply.RESUME_COMPLETE)));
                member.resumeWith(resuming);
            }
            // Before it is in the index, so the room's first live message is held for the replay.
            if (!joins.index().add(member)) {
                return refuse(room, RoomReply.Refusal.FULL);
            }
            joined.put(room, member);
            joins.metrics().joined().inc();
            if (resuming != null) {
                ResumingSubscriber r = resuming;
                return new Joined(null, () -> joins.replayer().start(r));
            }
        }
        return new Joined(RoomReply.joined(room), NOTHING);
    }

    private synchronized RoomAccess access() {
        if (access == null) {
            access = claim.get();
        }
        return access;
    }

    private Joined refuse(String room, RoomReply.Refusal reason) {
        joins.metrics().refused(reason).inc();
        LOG.debug("{}: join of room {} refused: {}", connection.remoteAddress(), room, reason);
        return new Joined(RoomReply.refused(room, reason), NOTHING);
    }

    /** Leaves {@code room} (a replay of it stops); answered {@code +l <room>} either way. */
    public RoomReply leave(String room) {
        RoomMember member;
        synchronized (this) {
            member = joined.remove(room);
        }
        if (member != null) {
            member.cancel();
            if (joins.index().remove(member)) {
                joins.metrics().left().inc();
            }
        }
        return RoomReply.left(room);
    }

    /** The rooms the connection is in now, in the order joined. */
    public synchronized List<String> rooms() {
        return new ArrayList<>(joined.keySet());
    }

    private void leaveAll() {
        List<RoomMember> members;
        synchronized (this) {
            closed = true;
            members = new ArrayList<>(joined.values());
            joined.clear();
        }
        for (RoomMember m : members) {
            if (joins.index().remove(m)) {
                joins.metrics().left().inc();
            }
        }
    }

    @Override
    public String toString() {
        return "ConnectionRooms{" + connection.remoteAddress() + ", " + rooms() + "}";
    }
}
