package io.pushbase.store.cursor;

import io.pushbase.schema.client.Devices;
import io.pushbase.schema.client.Keys;
import io.pushbase.store.InvalidArgumentException;
import java.util.List;

/**
 * The bounds of a {@link CursorStore}: live cursors per key, how long a cursor lives after its last
 * ack, entries per call. Immutable.
 *
 * @param maxDevicesPerKey most live cursors of one key (default {@value #DEFAULT_MAX_DEVICES})
 * @param lifetimeSeconds a cursor is forgotten this long after the last ack that wrote it (the
 *     retention by default: as long as a message of the key can live)
 * @param maxEntriesPerCall most acks in one {@link CursorStore#ackMany} call
 */
public record CursorLimits(int maxDevicesPerKey, long lifetimeSeconds, int maxEntriesPerCall) {
    public static final int DEFAULT_MAX_DEVICES = 32;

    public CursorLimits {
        if (maxDevicesPerKey < 1 || lifetimeSeconds < 1 || maxEntriesPerCall < 1) {
            throw new IllegalArgumentException(
                    "cursor limits must be positive: "
                            + maxDevicesPerKey
                            + ", "
                            + lifetimeSeconds
                            + ", "
                            + maxEntriesPerCall);
        }
    }

    /** Why {@code ack} cannot be stored whatever the store holds, or null when it may be. */
    public static String problem(Ack ack) {
        String problem = Keys.problem(ack.key());
        if (problem == null) {
            problem = Devices.problem(ack.device());
        }
        if (problem == null && ack.mid() <= 0) {
            problem = "mid must be positive, got " + ack.mid();
        }
        return problem;
    }

    /** Refuses a key that breaks the key rule. */
    public static void checkKey(String key) {
        String problem = Keys.problem(key);
        if (problem != null) {
            throw new InvalidArgumentException(problem);
        }
    }

    /** Refuses a whole call that is empty or too long. */
    public void checkEntries(List<Ack> acks) {
        if (acks == null || acks.isEmpty()) {
            throw new InvalidArgumentException("no acks");
        }
        if (acks.size() > maxEntriesPerCall) {
            throw new InvalidArgumentException(
                    acks.size() + " acks in one call, at most " + maxEntriesPerCall);
        }
    }
}
