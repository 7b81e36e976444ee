package io.pushbase.schema.hbase;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.function.Function;

/**
 * Builds and reads the message table's row keys: {@code [1-byte bucket][8-byte hash of key][8-byte
 * big-endian mid]}.
 *
 * <p>The bucket spreads keys over the pre-split regions; the hash gives every key a fixed-length
 * prefix so "all mids of key K after X" is one contiguous, bounded scan; the big-endian mid (always
 * positive) makes rows of a key sort by mid. Two keys may share a hash; readers tell them apart by
 * the raw key kept in column {@code k}.
 *
 * <p>Immutable and thread-safe. Changing the format breaks every stored row.
 */
public final class RowKeys {
    /** Number of buckets = number of pre-split regions. Part of the on-disk format. */
    public static final int BUCKETS = 16;

    public static final int HASH_LENGTH = 8;
    public static final int PREFIX_LENGTH = 1 + HASH_LENGTH;
    public static final int ROW_LENGTH = PREFIX_LENGTH + Long.BYTES;

    private static final RowKeys STANDARD = new RowKeys(RowKeys::md5Prefix);

    private final Function<byte[], byte[]> hash;

    /**
     * Row keys with a custom key hash. Only tests use this, to force collisions; production code
     * uses {@link #standard()}.
     *
     * @param hash maps the key's UTF-8 bytes to exactly {@link #HASH_LENGTH} bytes
     */
    public RowKeys(Function<byte[], byte[]> hash) {
        this.hash = hash;
    }

    /** The row-key format stored data uses (MD5 prefix of the key's UTF-8 bytes). */
    public static RowKeys standard() {
        return STANDARD;
    }

    /** The prefix shared by every row of {@code key}. */
    public byte[] prefix(String key) {
        return prefixOf(key.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The prefix shared by every row of the log named {@code logName}: a key's UTF-8 bytes, or
     * (Pushbase) a room's {@link #roomLog} bytes.
     */
    public byte[] prefixOf(byte[] logName) {
        byte[] h = hash.apply(logName);
        if (h.length != HASH_LENGTH) {
            throw new IllegalStateException("key hash must be " + HASH_LENGTH + " bytes");
        }
        byte[] prefix = new byte[PREFIX_LENGTH];
        prefix[0] = (byte) bucketOf(h);
        System.arraycopy(h, 0, prefix, 1, HASH_LENGTH);
        return prefix;
    }

    /**
     * (Pushbase) The first byte of a room log's name ({@link #roomLog}): 0xFF never occurs in
     * UTF-8, so no key's name (its UTF-8 bytes, which the key rule requires to be well-formed)
     * starts with it — or contains it at all.
     */
    public static final byte ROOM_LOG_MARK = (byte) 0xff;

    /**
     * (Pushbase) The name of room {@code room}'s log, as the raw-key column {@code m:k} holds it
     * and the row hash reads it: {@code 0xFF 'r'} followed by the room name's ASCII bytes. No valid
     * key produces these bytes (see {@link #ROOM_LOG_MARK}), so a room's rows are never read as a
     * key's, nor a key's as a room's, even when their hashes collide: every read filters on {@code
     * m:k} (docs/STORE.md, "Room logs").
     */
    public static byte[] roomLog(String room) {
        byte[] name = room.getBytes(StandardCharsets.US_ASCII);
        byte[] log = new byte[name.length + 2];
        log[0] = ROOM_LOG_MARK;
        log[1] = 'r';
        System.arraycopy(name, 0, log, 2, name.length);
        return log;
    }

    /** The bucket (0..BUCKETS-1) of {@code key}. */
    public int bucket(String key) {
        return prefix(key)[0];
    }

    /** The row of message {@code mid} of the key whose prefix is {@code prefix}. */
    public static byte[] row(byte[] prefix, long mid) {
        byte[] row = Arrays.copyOf(prefix, ROW_LENGTH);
        for (int i = 0; i < Long.BYTES; i++) {
            row[PREFIX_LENGTH + i] = (byte) (mid >>> (56 - 8 * i));
        }
        return row;
    }

    /** The mid stored in {@code row}. */
    public static long mid(byte[] row) {
        long mid = 0;
        for (int i = 0; i < Long.BYTES; i++) {
            mid = (mid << 8) | (row[PREFIX_LENGTH + i] & 0xff);
        }
        return mid;
    }

    private static int bucketOf(byte[] hash) {
        return (hash[0] & 0xff) % BUCKETS;
    }

    private static byte[] md5Prefix(byte[] keyBytes) {
        try {
            return Arrays.copyOf(MessageDigest.getInstance("MD5").digest(keyBytes), HASH_LENGTH);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JRE has MD5", e);
        }
    }
}
