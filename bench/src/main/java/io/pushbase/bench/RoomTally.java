package io.pushbase.bench;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * What the members of one room received of one rate's messages: per message (named by its send
 * time, the {@code "sent"} number in its payload), how many members got it and when the last one
 * did. Written by the subscribers' reader threads ({@link #frame}, one per group of members; a
 * message's counts under its own lock); read by the benchmark once the messages are in or given up
 * on.
 */
final class RoomTally {
    private static final byte[] SENT = "\"sent\":".getBytes(StandardCharsets.US_ASCII);

    /** Per message: {@code [members that got it, nanoTime of the last arrival]}. */
    private final Map<Long, long[]> messages = new ConcurrentHashMap<>();

    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong unreadable = new AtomicLong();

    /** One frame's body as {@link TcpSubscribers.FrameSink} gives it. */
    void frame(byte[] body, int length, long arrivalNanos) {
        long sent = sentOf(body, length);
        if (sent < 0) {
            unreadable.incrementAndGet();
            return;
        }
        long[] tally = messages.computeIfAbsent(sent, s -> new long[2]);
        synchronized (tally) {
            tally[0]++;
            tally[1] = Math.max(tally[1], arrivalNanos);
        }
        frames.incrementAndGet();
    }

    long frames() {
        return frames.get();
    }

    long unreadable() {
        return unreadable.get();
    }

    /**
     * The messages sent from {@code fromNanos} on, each expected by {@code members} members.
     *
     * @param sent the send times of those messages (what the publisher intended)
     */
    Summary summary(Iterable<Long> sent, int members, double windowSeconds) {
        Histogram lastMember = new Histogram(TimeUnit.MINUTES.toMicros(5), 3);
        long delivered = 0;
        long missing = 0;
        long messagesSeen = 0;
        long first = Long.MAX_VALUE;
        long lastArrival = Long.MIN_VALUE;
        for (long s : sent) {
            first = Math.min(first, s);
            long[] tally = messages.get(s);
            long got;
            long last;
            if (tally == null) {
                got = 0;
                last = 0;
            } else {
                synchronized (tally) {
                    got = tally[0];
                    last = tally[1];
                }
            }
            delivered += got;
            missing += members - got;
            if (got == members) {
                messagesSeen++;
                lastMember.recordValue(Math.max(0, (last - s) / 1_000));
                lastArrival = Math.max(lastArrival, last);
            }
        }
        // The achieved rate: over the window, or until the last of its messages arrived when the
        // server fell behind (then fewer deliveries per second than offered).
        double seconds =
                lastArrival == Long.MIN_VALUE
                        ? windowSeconds
                        : Math.max(windowSeconds, (lastArrival - first) / 1e9);
        return new Summary(delivered, missing, messagesSeen, delivered / seconds, lastMember);
    }

    /**
     * @param delivered member deliveries of the window's messages
     * @param missing deliveries expected but not received
     * @param complete messages every member received
     * @param deliveriesPerSecond delivered over the window (or until the last arrival)
     * @param lastMemberMicros per complete message, send time to the last member's arrival
     */
    record Summary(
            long delivered,
            long missing,
            long complete,
            double deliveriesPerSecond,
            Histogram lastMemberMicros) {}

    /** The number after {@code "sent":}, or -1. */
    private static long sentOf(byte[] body, int length) {
        outer:
        for (int i = 0; i + SENT.length < length; i++) {
            for (int j = 0; j < SENT.length; j++) {
                if (body[i + j] != SENT[j]) {
                    continue outer;
                }
            }
            long value = 0;
            int k = i + SENT.length;
            if (k >= length || body[k] < '0' || body[k] > '9') {
                return -1;
            }
            for (; k < length && body[k] >= '0' && body[k] <= '9'; k++) {
                value = value * 10 + (body[k] - '0');
            }
            return value;
        }
        return -1;
    }
}
