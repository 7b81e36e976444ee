package io.pushbase.cluster.logging;

import org.slf4j.MDC;

/**
 * The message a log line is about, as SLF4J MDC fields {@code key} and {@code mid}: the JSON log
 * layout ({@code PUSHBASE_LOG_FORMAT=json}) writes each as a field of its own, so a key's or a
 * message's lines can be found without parsing the text. Opened around a log call and closed right
 * after it, on the thread that logs (the MDC is per thread, and the message code runs on shared
 * event loops and callback threads):
 *
 * <pre>{@code
 * try (MessageLogContext ignored = MessageLogContext.of(key, mid)) {
 *     LOG.warn("Push to key '{}' failed: {}", key, err.toString());
 * }
 * }</pre>
 *
 * The human-readable default layout leaves the fields out; the message text keeps the key and mid
 * as before. Not thread-safe by design: one instance belongs to the thread that opened it.
 */
public final class MessageLogContext implements AutoCloseable {
    /** MDC field of the message's key. */
    public static final String KEY = "key";

    /** MDC field of the message's mid. */
    public static final String MID = "mid";

    private final boolean hasMid;

    private MessageLogContext(String key, Long mid) {
        MDC.put(KEY, key);
        hasMid = mid != null;
        if (hasMid) {
            MDC.put(MID, Long.toString(mid));
        }
    }

    /** A line about one message of {@code key}. */
    public static MessageLogContext of(String key, long mid) {
        return new MessageLogContext(key, mid);
    }

    /** A line about {@code key} with no mid known yet (or none: a delete, a trim). */
    public static MessageLogContext of(String key) {
        return new MessageLogContext(key, null);
    }

    @Override
    public void close() {
        MDC.remove(KEY);
        if (hasMid) {
            MDC.remove(MID);
        }
    }
}
