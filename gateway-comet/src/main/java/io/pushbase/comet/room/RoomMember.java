package io.pushbase.comet.room;

import io.netty.channel.EventLoop;
import io.pushbase.comet.replay.ResumingSubscriber;
import io.pushbase.comet.subscription.ChannelSubscriber;
import io.pushbase.comet.subscription.Subscriber;
import java.util.Objects;

/**
 * (Pushbase, issue 14) One connection in one room: the connection's view for the room ({@link
 * ChannelSubscriber#forRoom}) and, while a join with a {@code since} replays the room's stored
 * messages, the {@link ResumingSubscriber} that holds the room's live messages until the replay is
 * done (the same seam as a key's resume, docs/REPLAY.md).
 *
 * <p>Threading: {@link #deliver} runs on the connection's event loop (the fan-out hands each member
 * its messages there, in mid order per room), so the live/held decision and the write are
 * serialised with the replay, which runs there too. Identity is the object's: a connection that
 * leaves and joins again is a new member.
 */
public final class RoomMember {
    private final String room;
    private final ChannelSubscriber target;
    private volatile ResumingSubscriber resuming;

    RoomMember(String room, ChannelSubscriber target) {
        this.room = Objects.requireNonNull(room, "room");
        this.target = Objects.requireNonNull(target, "target");
    }

    public String room() {
        return room;
    }

    /** The connection's view for this room. */
    public ChannelSubscriber target() {
        return target;
    }

    EventLoop eventLoop() {
        return target.eventLoop();
    }

    /** A join with a since: the room's live messages are held by {@code resuming} until it ends. */
    void resumeWith(ResumingSubscriber resuming) {
        this.resuming = resuming;
    }

    /**
     * Writes one room message: the shared frame of the connection's framing and format when the
     * member is live (no replay, or its replay has gone live and the mid is above what it
     * replayed); otherwise to the resuming subscriber, which holds it (or drops what the replay
     * sent). Event loop only.
     */
    Subscriber.Delivery deliver(long mid, byte[] payload, FramedMessage frames) {
        ResumingSubscriber r = resuming;
        if (r != null && !r.isLive()) {
            return r.deliver(mid, payload);
        }
        if (r != null && mid <= r.lastReplayed()) {
            return Subscriber.Delivery.QUEUED; // the replay sent it: the client has it
        }
        return target.writeShared(
                mid, frames.frame(target.framing(), target.subscription().messageFormat()));
    }

    /** The client left the room: a replay still running writes nothing more. */
    void cancel() {
        ResumingSubscriber r = resuming;
        if (r != null) {
            r.cancel();
        }
    }

    @Override
    public String toString() {
        return "RoomMember{" + room + ", " + target.remoteAddress() + "}";
    }
}
