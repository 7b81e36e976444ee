package io.pushbase.store;

import io.pushbase.schema.client.Rooms;
import io.pushbase.schema.hbase.RowKeys;

/**
 * (Pushbase) Which logs a store serves: the keys' (every message node's original logs) or the
 * rooms' (issue 14). A store serves one space; a message node runs one of each over the same table
 * (docs/STORE.md, "Room logs"). The space decides what a log's name must look like and the bytes
 * that name its rows: a key's UTF-8 bytes, or {@code 0xFF 'r'} and the room's name ({@link
 * RowKeys#roomLog}), bytes no key can have (0xFF never occurs in UTF-8). Every other rule of a log
 * — head, mids, claims, cap, trims, floor, expiry — is the same in both. Stateless.
 */
public enum LogSpace {
    /** Key logs: the key rule ({@code schema/client/Keys}), named by the key's UTF-8 bytes. */
    KEYS {
        @Override
        public byte[] check(StoreLimits limits, String name) {
            return limits.checkKey(name);
        }
    },
    /** Room logs: the room rule ({@link Rooms}), named by {@link RowKeys#roomLog}. */
    ROOMS {
        @Override
        public byte[] check(StoreLimits limits, String name) {
            // A room, or the broadcasts' log (Rooms.ALL).
            String problem = Rooms.logProblem(name);
            if (problem != null) {
                throw new InvalidArgumentException(problem);
            }
            return RowKeys.roomLog(name);
        }
    };

    /**
     * Checks a log's name (a key, or a room) and answers the bytes that name its rows.
     *
     * @throws InvalidArgumentException when the name breaks the space's rule
     */
    public abstract byte[] check(StoreLimits limits, String name);
}
