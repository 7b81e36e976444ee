package io.pushbase.comet.room;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * (Pushbase, issue 14) The comet's room index: room → its members on this comet, at most {@code
 * maxMembersPerRoom} each. A room's entry exists only while it has members, so memory follows
 * memberships. Gauges {@code comet.rooms} (rooms with a member) and {@code comet.rooms.members}
 * (memberships).
 *
 * <p>Thread-safe and non-blocking: joins and leaves come from event loops, the fan-out reads from
 * any thread ({@link #members} is the live set, iterated weakly consistently: a member that joins
 * during a fan-out may or may not get that message, exactly as a connection admitted during a key's
 * push).
 */
public final class RoomIndex {
    private final int maxMembersPerRoom;
    private final Map<String, Set<RoomMember>> rooms = new ConcurrentHashMap<>();
    private final AtomicInteger memberships = new AtomicInteger();

    public RoomIndex(int maxMembersPerRoom, MetricRegistry metrics) {
        if (maxMembersPerRoom < 1) {
            throw new IllegalArgumentException("maxMembersPerRoom must be positive");
        }
        this.maxMembersPerRoom = maxMembersPerRoom;
        metrics.gauge("comet.rooms", () -> (Gauge<Integer>) rooms::size);
        metrics.gauge("comet.rooms.members", () -> (Gauge<Integer>) memberships::get);
    }

    /**
     * Adds {@code member} to its room unless the room is full.
     *
     * @return false when the room already has {@code maxMembersPerRoom} members here
     */
    boolean add(RoomMember member) {
        boolean[] added = {false};
        rooms.compute(
                member.room(),
                (r, set) -> {
                    Set<RoomMember> s = set != null ? set : ConcurrentHashMap.newKeySet();
                    if (s.size() < maxMembersPerRoom) {
                        added[0] = s.add(member);
                    }
                    return s.isEmpty() ? null : s;
                });
        if (added[0]) {
            memberships.incrementAndGet();
        }
        return added[0];
    }

    /** Removes {@code member}; false when it was not in its room. */
    boolean remove(RoomMember member) {
        boolean[] removed = {false};
        rooms.computeIfPresent(
                member.room(),
                (r, set) -> {
                    removed[0] = set.remove(member);
                    return set.isEmpty() ? null : set;
                });
        if (removed[0]) {
            memberships.decrementAndGet();
        }
        return removed[0];
    }

    /** The members of {@code room} (the live set; empty when none). */
    Set<RoomMember> members(String room) {
        Set<RoomMember> set = rooms.get(room);
        return set == null ? Set.of() : set;
    }

    /** Members of {@code room} on this comet now. */
    public int count(String room) {
        Set<RoomMember> set = rooms.get(room);
        return set == null ? 0 : set.size();
    }

    /** Rooms with at least one member here. */
    public int roomCount() {
        return rooms.size();
    }

    /** Memberships on this comet (a connection in three rooms counts three). */
    public int memberCount() {
        return memberships.get();
    }
}
