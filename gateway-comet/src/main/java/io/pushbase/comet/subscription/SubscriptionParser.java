package io.pushbase.comet.subscription;

import io.pushbase.comet.codec.RoomReply;
import io.pushbase.schema.client.Devices;
import io.pushbase.schema.client.Keys;
import io.pushbase.schema.client.Rooms;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * Checks a client's raw subscribe arguments (TCP {@code sub} arguments or WebSocket query
 * parameters) and builds the {@link Subscription}, or refuses them with the reasons that
 * gopush-cluster answered {@code -p} for: missing or empty key; heartbeat missing, not a number, or
 * below the minimum. Pushbase also refuses, with the same {@code -p}, every key the shared key rule
 * ({@link Keys}) refuses: over {@value Keys#MAX_BYTES} bytes or not well-formed UTF-8, checked on
 * the key's bytes as they arrived, so no client waits on a key no push can reach. A heartbeat is a
 * decimal number with an optional sign, ASCII digits only, as Go's {@code strconv.Atoi} reads it;
 * one beyond Java's {@code int} range is refused too.
 *
 * <p>(Pushbase) {@code since}, the mid to resume after, is absent or empty (no resume), or 1 to
 * {@value #MAX_SINCE_DIGITS} ASCII digits (no sign, so never negative) within {@code long} range,
 * and at most {@code latestSince} now: mids are time-like (docs/MIDS.md), so one far ahead of the
 * clock is not a mid this key has had, and resuming after it would silently drop every live message
 * until the clock caught up. Anything else is a {@code -p} counted apart ({@link
 * InvalidSubscriptionException.Rule#SINCE}).
 *
 * <p>(Pushbase, issue 15) A key's {@code since} may instead be {@code @<device>}: resume after that
 * device's cursor ({@link Subscription#sinceDevice()}). The device id follows the acks' device rule
 * ({@link Devices}: 1 to {@value Devices#MAX_LENGTH} characters of {@code A-Z a-z 0-9 . _ : -}, so
 * never a digit string's look-alike); a bad one is a {@code -p} counted apart ({@link
 * InvalidSubscriptionException.Rule#DEVICE}). Rooms have no cursors: a room's since in the
 * {@code @} form is refused as a bad room since.
 *
 * <p>Immutable and thread-safe (as long as {@code latestSince} is).
 */
public final class SubscriptionParser {
    /** gopush-cluster's minimum heartbeat period. */
    public static final int DEFAULT_MIN_HEARTBEAT_SECONDS = 30;

    /** Digits of {@link Long#MAX_VALUE}: the longest {@code since} that can be a mid. */
    public static final int MAX_SINCE_DIGITS = 19;

    /**
     * (Pushbase, issue 15) What starts a {@code since} that names a device instead of a mid: {@code
     * since=@phone-1}. Outside the device alphabet and never a digit.
     */
    public static final String DEVICE_MARK = "@";

    /** (Pushbase) Default most rooms a connection may join, at subscribe and later. */
    public static final int DEFAULT_MAX_ROOMS = 16;

    /** (Pushbase) Default longest room name a comet accepts. */
    public static final int DEFAULT_MAX_ROOM_NAME_BYTES = 64;

    private final int minHeartbeatSeconds;
    private final LongSupplier latestSince;
    private final int maxRooms;
    private final int maxRoomNameBytes;

    /**
     * @param latestSince the largest {@code since} accepted now (the comet's clock as a mid plus a
     *     slack for other nodes' clocks); read once per request that carries one
     */
    public SubscriptionParser(int minHeartbeatSeconds, LongSupplier latestSince) {
        this(minHeartbeatSeconds, latestSince, DEFAULT_MAX_ROOMS, DEFAULT_MAX_ROOM_NAME_BYTES);
    }

    /**
     * @param maxRooms (Pushbase) most rooms one subscribe may name
     * @param maxRoomNameBytes (Pushbase) longest room name accepted (at most the room rule's)
     */
    public SubscriptionParser(
            int minHeartbeatSeconds, LongSupplier latestSince, int maxRooms, int maxRoomNameBytes) {
        this.maxRooms = maxRooms;
        this.maxRoomNameBytes = maxRoomNameBytes;
        if (minHeartbeatSeconds < 1) {
            throw new IllegalArgumentException(
                    "minimum heartbeat must be positive: " + minHeartbeatSeconds);
        }
        this.minHeartbeatSeconds = minHeartbeatSeconds;
        this.latestSince = Objects.requireNonNull(latestSince, "latestSince");
    }

    /**
     * @param key the subscription key's bytes as the client sent them (percent-escapes already
     *     decoded, nothing decoded as text); null when absent
     * @param heartbeat the heartbeat period in seconds as the client sent it; null when absent
     * @param token null or empty when absent
     * @param version null or empty when absent
     * @param since the mid to resume after as the client sent it; null or empty when absent
     * @throws InvalidSubscriptionException for the {@code -p} cases
     */
    public Subscription parse(
            byte[] key, String heartbeat, String token, String version, String since)
            throws InvalidSubscriptionException {
        return parse(key, heartbeat, token, version, since, List.of());
    }

    /**
     * {@link #parse(byte[], String, String, String, String)} with (Pushbase) the rooms to join at
     * subscribe: each {@code <room>} or {@code <room>@<since>} ({@link #room}); a room named twice
     * counts once (its first form). More than {@code maxRooms} distinct rooms, a bad name or a bad
     * since is refused ({@link InvalidSubscriptionException.Rule#ROOM}).
     */
    public Subscription parse(
            byte[] key,
            String heartbeat,
            String token,
            String version,
            String since,
            List<String> rooms)
            throws InvalidSubscriptionException {
        Subscription plain = parseKey(key, heartbeat, token, version, since);
        if (rooms.isEmpty()) {
            return plain;
        }
        Map<String, RoomRequest> asked = new LinkedHashMap<>();
        for (String spec : rooms) {
            RoomRequest room = room(spec);
            asked.putIfAbsent(room.room(), room);
            if (asked.size() > maxRooms) {
                throw InvalidSubscriptionException.badRoom(
                        room.room(),
                        RoomReply.Refusal.LIMIT,
                        "more than " + maxRooms + " rooms asked");
            }
        }
        return new Subscription(
                plain.key(),
                plain.heartbeatSeconds(),
                plain.token(),
                plain.version(),
                plain.since(),
                List.copyOf(asked.values()),
                plain.sinceDevice());
    }

    /**
     * (Pushbase) One room as a subscribe names it: {@code <room>} or {@code <room>@<since>}, the
     * name by the room rule (at most {@code maxRoomNameBytes}), the since by the since rule.
     */
    public RoomRequest room(String spec) throws InvalidSubscriptionException {
        int at = spec == null ? -1 : spec.indexOf('@');
        String name = at < 0 ? spec : spec.substring(0, at);
        return room(name, at < 0 ? null : spec.substring(at + 1));
    }

    /**
     * (Pushbase) A room and its since as a {@code join} names them: the name by the room rule (at
     * most {@code maxRoomNameBytes}), the since (null or empty: none) by the since rule.
     */
    public RoomRequest room(String name, String since) throws InvalidSubscriptionException {
        String problem = Rooms.problem(name, maxRoomNameBytes);
        if (problem != null) {
            throw InvalidSubscriptionException.badRoom(null, RoomReply.Refusal.NAME, problem);
        }
        if (since != null && since.startsWith(DEVICE_MARK)) {
            throw InvalidSubscriptionException.badRoom(
                    name,
                    RoomReply.Refusal.SINCE,
                    "room "
                            + name
                            + ": rooms keep no device cursors, resume a room after a mid"
                            + " (since "
                            + quote(since)
                            + ")");
        }
        try {
            return new RoomRequest(name, parseSince(since));
        } catch (InvalidSubscriptionException e) {
            throw InvalidSubscriptionException.badRoom(
                    name, RoomReply.Refusal.SINCE, "room " + name + ": " + e.getMessage());
        }
    }

    private Subscription parseKey(
            byte[] key, String heartbeat, String token, String version, String since)
            throws InvalidSubscriptionException {
        String keyProblem = Keys.problem(key);
        if (keyProblem != null) {
            throw InvalidSubscriptionException.badKey(keyProblem);
        }
        if (heartbeat == null) {
            throw new InvalidSubscriptionException("heartbeat is missing");
        }
        int seconds = parseHeartbeat(heartbeat);
        if (seconds < minHeartbeatSeconds) {
            throw new InvalidSubscriptionException(
                    "heartbeat " + seconds + " is below the minimum " + minHeartbeatSeconds);
        }
        boolean fromDevice = since != null && since.startsWith(DEVICE_MARK);
        return new Subscription(
                new String(key, StandardCharsets.UTF_8),
                seconds,
                token == null ? "" : token,
                version == null ? "" : version,
                fromDevice ? OptionalLong.empty() : parseSince(since),
                List.of(),
                fromDevice ? Optional.of(parseDevice(since.substring(1))) : Optional.empty());
    }

    private static String parseDevice(String device) throws InvalidSubscriptionException {
        String problem = Devices.problem(device);
        if (problem != null) {
            throw InvalidSubscriptionException.badDevice(
                    "since=@<device>: " + problem + " (" + quote(device) + ")");
        }
        return device;
    }

    private OptionalLong parseSince(String text) throws InvalidSubscriptionException {
        if (text == null || text.isEmpty()) {
            return OptionalLong.empty();
        }
        // Long.parseLong would take a sign and non-ASCII digits; a mid is neither.
        if (text.length() > MAX_SINCE_DIGITS) {
            throw InvalidSubscriptionException.badSince(
                    "since is longer than " + MAX_SINCE_DIGITS + " digits: " + quote(text));
        }
        long value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw InvalidSubscriptionException.badSince(
                        "since is not a decimal mid: " + quote(text));
            }
            int digit = c - '0';
            if (value > (Long.MAX_VALUE - digit) / 10) {
                throw InvalidSubscriptionException.badSince(
                        "since is beyond the int64 range: " + quote(text));
            }
            value = value * 10 + digit;
        }
        long latest = latestSince.getAsLong();
        if (value > latest) {
            throw InvalidSubscriptionException.badSince(
                    "since " + value + " is in the future (latest accepted now: " + latest + ")");
        }
        return OptionalLong.of(value);
    }

    private static int parseHeartbeat(String text) throws InvalidSubscriptionException {
        // Integer.parseInt would also take non-ASCII digits, which Go never did. At most 18
        // digits fit a long; leading zeros are fine, as in Go.
        int start = !text.isEmpty() && (text.charAt(0) == '+' || text.charAt(0) == '-') ? 1 : 0;
        if (text.length() == start || text.length() - start > 18) {
            throw new InvalidSubscriptionException("heartbeat is not a number: " + quote(text));
        }
        long value = 0;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new InvalidSubscriptionException("heartbeat is not a number: " + quote(text));
            }
            value = value * 10 + (c - '0');
        }
        if (start == 1 && text.charAt(0) == '-') {
            value = -value;
        }
        if (value > Integer.MAX_VALUE || value < Integer.MIN_VALUE) {
            throw new InvalidSubscriptionException("heartbeat is out of range: " + quote(text));
        }
        return (int) value;
    }

    private static String quote(String text) {
        return "\"" + (text.length() > 32 ? text.substring(0, 32) + "..." : text) + "\"";
    }
}
