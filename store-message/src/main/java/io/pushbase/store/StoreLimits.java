package io.pushbase.store;

import io.pushbase.schema.client.Keys;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The bounds every store request is checked against, and the checks themselves, so every
 * implementation rejects exactly the same input with the same message.
 *
 * @param maxPayloadBytes largest payload accepted (default 64 KiB)
 * @param maxStoredPerKey newest messages kept and returned per key (default 100)
 * @param retentionSeconds longest expiry a message may ask for (the HBase family TTL)
 * @param maxEntriesPerAppendMany most entries in one {@code appendMany}
 */
public record StoreLimits(
        int maxPayloadBytes,
        int maxStoredPerKey,
        long retentionSeconds,
        int maxEntriesPerAppendMany) {

    /** Longest key, in UTF-8 bytes. */
    public static final int MAX_KEY_BYTES = Keys.MAX_BYTES;

    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_STORED_PER_KEY = 100;
    public static final int DEFAULT_MAX_ENTRIES_PER_APPEND_MANY = 10_000;

    public StoreLimits {
        if (maxPayloadBytes <= 0
                || maxStoredPerKey <= 0
                || retentionSeconds <= 0
                || maxEntriesPerAppendMany <= 0) {
            throw new IllegalArgumentException("every store limit must be positive");
        }
    }

    public static StoreLimits defaults(long retentionSeconds) {
        return new StoreLimits(
                DEFAULT_MAX_PAYLOAD_BYTES,
                DEFAULT_MAX_STORED_PER_KEY,
                retentionSeconds,
                DEFAULT_MAX_ENTRIES_PER_APPEND_MANY);
    }

    /**
     * @return the key's UTF-8 bytes
     */
    public byte[] checkKey(String key) {
        String problem = Keys.problem(key);
        if (problem != null) {
            throw new InvalidArgumentException(problem);
        }
        return key.getBytes(StandardCharsets.UTF_8);
    }

    /** Longest append claim, in bytes. */
    public static final int MAX_CLAIM_BYTES = 32;

    /**
     * Checks one append's values besides its key; {@code expireSeconds = 0} is allowed (take the
     * mid, store nothing).
     */
    public void checkAppend(long mid, byte[] claim, byte[] payload, long expireSeconds) {
        if (claim == null || claim.length == 0 || claim.length > MAX_CLAIM_BYTES) {
            throw new InvalidArgumentException(
                    "claim must be 1.."
                            + MAX_CLAIM_BYTES
                            + " bytes, got "
                            + (claim == null ? 0 : claim.length));
        }
        if (mid <= 0) {
            throw new InvalidArgumentException("mid must be positive, got " + mid);
        }
        if (payload == null) {
            throw new InvalidArgumentException("payload must be present");
        }
        if (payload.length > maxPayloadBytes) {
            throw new InvalidArgumentException(
                    "payload is "
                            + payload.length
                            + " bytes, at most "
                            + maxPayloadBytes
                            + " allowed");
        }
        if (expireSeconds < 0) {
            throw new InvalidArgumentException("expire must not be negative, got " + expireSeconds);
        }
        if (expireSeconds > retentionSeconds) {
            throw new InvalidArgumentException(
                    "expire is "
                            + expireSeconds
                            + " s, at most "
                            + retentionSeconds
                            + " s (the store's retention) allowed");
        }
    }

    /**
     * An append's claim index time: 0 (none) up to the retention; a longer one is cut to the
     * retention (no cell of the key outlives it anyway), a negative one refused.
     */
    public long indexSeconds(long requested) {
        if (requested < 0) {
            throw new InvalidArgumentException(
                    "index_seconds must not be negative, got " + requested);
        }
        return Math.min(requested, retentionSeconds);
    }

    /** The size of an {@code appendMany}: 1..{@link #maxEntriesPerAppendMany()} entries. */
    public void checkEntries(List<?> entries) {
        if (entries == null || entries.isEmpty()) {
            throw new InvalidArgumentException("entries must not be empty");
        }
        if (entries.size() > maxEntriesPerAppendMany) {
            throw new InvalidArgumentException(
                    entries.size()
                            + " entries, at most "
                            + maxEntriesPerAppendMany
                            + " allowed per call");
        }
    }

    /**
     * @return how many messages a fetch may return: {@code limit}, or the cap if 0 or above
     */
    public int checkFetchLimit(int limit) {
        if (limit < 0) {
            throw new InvalidArgumentException("limit must not be negative, got " + limit);
        }
        return limit == 0 ? maxStoredPerKey : Math.min(limit, maxStoredPerKey);
    }
}
