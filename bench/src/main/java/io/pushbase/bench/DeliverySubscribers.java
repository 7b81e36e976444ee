package io.pushbase.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * TCP subscribers of the delivery benchmark ({@link TcpSubscribers}: one connection per key, the
 * 3-argument RESP {@code sub}, old message format, read by one selector thread) that record, for
 * each message whose intended send time lies in the current measuring window, the time from that
 * intended send time to its arrival here (the publisher runs in this JVM, so both ends read the
 * same {@link System#nanoTime()}).
 *
 * <p>The publisher writes the intended send time, in ns after {@link #base()}, into the message as
 * {@code "bt":N}; it is read with {@link JsonNumbers#field}, so the old format (the JSON escaped
 * into a string) parses as well as the new one.
 *
 * <p>Threading: {@link #open} on the caller's thread; afterwards only the reader thread records,
 * except {@link #window} (volatile bounds) and {@link #take} (synchronized hand-over of the
 * histogram). Owns its connections; {@link #close()} ends them.
 */
final class DeliverySubscribers implements AutoCloseable {
    private static final byte[] SENT = JsonNumbers.name("bt");

    /** Heartbeat announced in the sub; long enough that no heartbeat is needed during a run. */
    private static final TcpSubscribers.Subscription SUBSCRIPTION =
            new TcpSubscribers.Subscription(300, null, false);

    private final long base = System.nanoTime();
    private TcpSubscribers connections;
    private volatile long windowFrom = Long.MAX_VALUE;
    private volatile long windowTo = Long.MAX_VALUE;
    private Histogram latencyMicros = new Histogram(TimeUnit.MINUTES.toMicros(2), 3);
    private long received;
    private long receivedTotal;

    private DeliverySubscribers() {}

    /** The origin of the {@code bt} timestamps. */
    long base() {
        return base;
    }

    /**
     * Subscribes one connection per key (a key the comet does not own yet, {@code -n}, is retried
     * for up to 60 s), then starts reading.
     */
    static DeliverySubscribers open(InetSocketAddress comet, List<String> keys)
            throws IOException, InterruptedException {
        DeliverySubscribers subs = new DeliverySubscribers();
        subs.connections = TcpSubscribers.open(comet, keys, SUBSCRIPTION, subs::frame);
        return subs;
    }

    private void frame(int subscriber, byte[] body, int length, long now) {
        long sent = JsonNumbers.field(body, length, SENT);
        if (sent != JsonNumbers.NONE) {
            record(sent, now);
        }
    }

    /** Records only messages intended to be sent in [from, to) (ns after {@link #base()}). */
    void window(long from, long to) {
        windowFrom = from;
        windowTo = to;
    }

    /** Messages recorded in the window so far. */
    synchronized long received() {
        return received;
    }

    /** Every message read since start, in or out of a window. */
    synchronized long receivedTotal() {
        return receivedTotal;
    }

    /** Hands over the window's latencies (µs) and starts a fresh histogram and count. */
    synchronized Histogram take() {
        Histogram h = latencyMicros;
        latencyMicros = new Histogram(TimeUnit.MINUTES.toMicros(2), 3);
        received = 0;
        return h;
    }

    private synchronized void record(long sentOffsetNanos, long nowNanos) {
        receivedTotal++;
        if (sentOffsetNanos >= windowFrom && sentOffsetNanos < windowTo) {
            received++;
            long micros = Math.max(1, (nowNanos - base - sentOffsetNanos) / 1_000);
            latencyMicros.recordValue(Math.min(micros, latencyMicros.getHighestTrackableValue()));
        }
    }

    @Override
    public void close() {
        if (connections != null) {
            connections.close();
        }
    }
}
