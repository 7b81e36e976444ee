package io.pushbase.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The pushes of one scenario of the standalone benchmark and what the subscribers received, so that
 * delivery can be checked: every acknowledged push ({@code {"ret":0}}) delivered exactly once, to
 * its own key's subscriber, and nothing delivered that was not acknowledged. Each push carries
 * {@code {"t":<send time, ns after base>,"i":<sequence number>}} (the body the independent Go load
 * generator sends); its key is a fixed pseudo-random function of its sequence number ({@link
 * #keyOf}), so pushes spread evenly and at random over the subscribed keys while a stored message
 * can always be traced back to the key it was pushed to.
 *
 * <p>Threading: {@link #acked} is called on the HTTP client's thread, {@link #frame} on the
 * subscribers' reader thread; both synchronize on this ledger, as does every reader. Read the
 * results ({@link #match}) once the load has stopped and {@link #awaitDeliveries} returned.
 */
final class PushLedger implements TcpSubscribers.FrameSink {
    private static final byte[] SEQ = JsonNumbers.name("i");
    private static final byte[] MID = JsonNumbers.name("mid");

    /** A push the web node acknowledged; {@code sentNanos} on {@link System#nanoTime()}. */
    record Ack(int key, long seq, long sentNanos) {}

    /** A pushed frame a subscriber read; {@code arrivalNanos} on {@link System#nanoTime()}. */
    record Receipt(int key, long seq, long mid, long arrivalNanos) {}

    /**
     * What the subscribers got, against what was acknowledged.
     *
     * @param acked pushes answered {@code {"ret":0}}
     * @param delivered acknowledged pushes received (once or more)
     * @param missing acknowledged pushes never received
     * @param duplicates frames received again for a push already received
     * @param unacked pushes received that were never acknowledged (failed or unknown)
     * @param wrongKey frames received by a subscriber of another key than the push's
     * @param malformed frames without a readable {@code i} or {@code mid}
     * @param firstBySeq the first receipt of each push, for the store check
     */
    record Delivery(
            long acked,
            long delivered,
            long missing,
            long duplicates,
            long unacked,
            long wrongKey,
            long malformed,
            Map<Long, Receipt> firstBySeq) {

        /** Problems counted here, 0 when delivery was exact. */
        long failures() {
            return missing + duplicates + unacked + wrongKey + malformed;
        }
    }

    private final int keys;
    private final long firstSeq;
    private final List<Ack> acks = new ArrayList<>();
    private final List<Receipt> receipts = new ArrayList<>();
    private long malformed;
    private long lastArrivalNanos = System.nanoTime();

    /**
     * A ledger for pushes spread over {@code keys} subscribed keys, numbered from {@code firstSeq}
     * (what came before belongs to earlier scenarios).
     */
    PushLedger(int keys, long firstSeq) {
        this.keys = keys;
        this.firstSeq = firstSeq;
    }

    /** The first sequence number of this ledger's scenario. */
    long firstSeq() {
        return firstSeq;
    }

    /** The key (index into the subscribed keys) that push {@code seq} goes to. */
    static int keyOf(long seq, int keys) {
        // SplitMix64's finalizer: consecutive sequence numbers land on unrelated keys.
        long z = seq * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (int) Math.floorMod(z, (long) keys);
    }

    int keyOf(long seq) {
        return keyOf(seq, keys);
    }

    /** The push body: {@code {"t":sendTime,"i":seq}}, as the Go load generator sends it. */
    static byte[] body(long sendNanosSinceBase, long seq) {
        return ("{\"t\":" + sendNanosSinceBase + ",\"i\":" + seq + "}")
                .getBytes(StandardCharsets.US_ASCII);
    }

    synchronized void acked(long seq, long sentNanos) {
        acks.add(new Ack(keyOf(seq), seq, sentNanos));
    }

    synchronized int ackCount() {
        return acks.size();
    }

    synchronized List<Ack> acks() {
        return List.copyOf(acks);
    }

    @Override
    public synchronized void frame(int subscriber, byte[] body, int length, long arrivalNanos) {
        long seq = JsonNumbers.field(body, length, SEQ);
        long mid = JsonNumbers.field(body, length, MID);
        lastArrivalNanos = arrivalNanos;
        if (seq == JsonNumbers.NONE || mid == JsonNumbers.NONE) {
            malformed++;
            return;
        }
        receipts.add(new Receipt(subscriber, seq, mid, arrivalNanos));
    }

    /**
     * Waits until at least every acknowledged push has arrived, or nothing arrived for {@code
     * quiet}, or {@code max} passed.
     */
    void awaitDeliveries(Duration quiet, Duration max) throws InterruptedException {
        long end = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < end) {
            synchronized (this) {
                if (receipts.size() >= acks.size()
                        || System.nanoTime() - lastArrivalNanos > quiet.toNanos()) {
                    return;
                }
            }
            Thread.sleep(100);
        }
    }

    /** Matches receipts with acknowledgements (see {@link Delivery}). */
    synchronized Delivery match() {
        Map<Long, Receipt> first = new HashMap<>();
        long duplicates = 0;
        long wrongKey = 0;
        for (Receipt r : receipts) {
            if (first.putIfAbsent(r.seq(), r) != null) {
                duplicates++;
            }
            if (r.key() != keyOf(r.seq())) {
                wrongKey++;
            }
        }
        long delivered = 0;
        for (Ack a : acks) {
            if (first.containsKey(a.seq())) {
                delivered++;
            }
        }
        return new Delivery(
                acks.size(),
                delivered,
                acks.size() - delivered,
                duplicates,
                first.size() - delivered,
                wrongKey,
                malformed,
                first);
    }

    /**
     * Publish→receive latency (µs) of the acknowledged pushes sent in [{@code from}, {@code to})
     * ({@link System#nanoTime()}) that were delivered: arrival minus send time.
     */
    synchronized Histogram receiveLatency(Delivery delivery, long from, long to) {
        Histogram micros = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
        for (Ack a : acks) {
            Receipt r = delivery.firstBySeq().get(a.seq());
            if (r != null && a.sentNanos() >= from && a.sentNanos() < to) {
                long us = Math.max(1, (r.arrivalNanos() - a.sentNanos()) / 1_000);
                micros.recordValue(Math.min(us, micros.getHighestTrackableValue()));
            }
        }
        return micros;
    }
}
