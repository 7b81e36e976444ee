package io.pushbase.comet.subscription;

import io.pushbase.schema.client.MessageFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A validated subscribe request (docs/PROTOCOL.md section 3): the key, the client's heartbeat
 * period, the optional token and client version, and (Pushbase) the optional mid to resume after.
 * Immutable.
 *
 * @param key subscription key, never empty
 * @param heartbeatSeconds the client's heartbeat period; the comet closes the connection after
 *     {@code heartbeatSeconds + 5} seconds without input
 * @param token auth token, empty when the client sent none
 * @param version client version, empty when the client sent none (then the client gets the {@link
 *     MessageFormat#OLD old} message format)
 * @param since (Pushbase) the largest mid the client has: the comet first sends every stored
 *     message of the key with a larger mid, then live ones; empty for no resume (gopush-cluster's
 *     behaviour); never negative
 * @param rooms (Pushbase, issue 14) the rooms to join at subscribe, in the order asked, each once;
 *     empty for none (every gopush-cluster client)
 * @param sinceDevice (Pushbase, issue 15) the device whose cursor to resume after ({@code
 *     since=@<device>}): the comet reads the device's cursor of the key from the message nodes and
 *     resumes as if {@code since=<cursor>} had been sent (0 when the device has none); empty for
 *     none. Never present together with {@code since}.
 */
public record Subscription(
        String key,
        int heartbeatSeconds,
        String token,
        String version,
        OptionalLong since,
        List<RoomRequest> rooms,
        Optional<String> sinceDevice) {

    /** A subscription without resume: what every gopush-cluster client sends. */
    public Subscription(String key, int heartbeatSeconds, String token, String version) {
        this(key, heartbeatSeconds, token, version, OptionalLong.empty());
    }

    /** A subscription that joins no room. */
    public Subscription(
            String key, int heartbeatSeconds, String token, String version, OptionalLong since) {
        this(key, heartbeatSeconds, token, version, since, List.of());
    }

    /** A subscription that does not resume from a device's cursor. */
    public Subscription(
            String key,
            int heartbeatSeconds,
            String token,
            String version,
            OptionalLong since,
            List<RoomRequest> rooms) {
        this(key, heartbeatSeconds, token, version, since, rooms, Optional.empty());
    }

    public Subscription {
        rooms = List.copyOf(rooms);
        Objects.requireNonNull(sinceDevice, "sinceDevice");
        if (since.isPresent() && sinceDevice.isPresent()) {
            throw new IllegalArgumentException("since and sinceDevice are exclusive");
        }
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(since, "since");
        if (since.isPresent() && since.getAsLong() < 0) {
            throw new IllegalArgumentException("since must not be negative: " + since);
        }
        if (key.isEmpty()) {
            throw new IllegalArgumentException("key must not be empty");
        }
        if (heartbeatSeconds <= 0) {
            throw new IllegalArgumentException("heartbeat must be positive: " + heartbeatSeconds);
        }
    }

    /** (Pushbase) Whether the client resumes: after a mid or after a device's cursor. */
    public boolean resumes() {
        return since.isPresent() || sinceDevice.isPresent();
    }

    public boolean hasToken() {
        return !token.isEmpty();
    }

    /** The message format this client reads: new when it sent a version, old otherwise. */
    public MessageFormat messageFormat() {
        return MessageFormat.forVersion(version);
    }

    /** Never prints the token. */
    @Override
    public String toString() {
        return "Subscription{key="
                + key
                + ", heartbeat="
                + heartbeatSeconds
                + "s, token="
                + (hasToken() ? "present" : "none")
                + ", version="
                + (version.isEmpty() ? "none" : version)
                + (since.isPresent() ? ", since=" + since.getAsLong() : "")
                + (sinceDevice.isPresent() ? ", since=@" + sinceDevice.get() : "")
                + (rooms.isEmpty() ? "" : ", rooms=" + rooms)
                + "}";
    }
}
