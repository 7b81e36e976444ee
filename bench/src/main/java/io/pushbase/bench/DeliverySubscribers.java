package io.pushbase.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * TCP subscribers of the delivery benchmark: one connection per key to the comet's TCP port, each
 * subscribed with the RESP {@code sub} (old message format), then read by one NIO selector thread
 * that parses the pushed frames ({@code $<len>\r\n<json>\r\n}) and records, for each message whose
 * intended send time lies in the current measuring window, the time from that intended send time to
 * its arrival here (the publisher runs in this JVM, so both ends read the same {@link
 * System#nanoTime()}).
 *
 * <p>The publisher writes the intended send time, in ns after {@link #base()}, into the message as
 * {@code "bt":N}; the reader finds the digits after the marker {@code bt}, so the old format (the
 * JSON escaped into a string) parses as well as the new one.
 *
 * <p>Threading: {@link #open} on the caller's thread; afterwards only the reader thread touches the
 * connections and the histogram, except {@link #window} (volatile bounds) and {@link #take}
 * (synchronized hand-over of the histogram). Owns its sockets and thread; {@link #close()} ends
 * both.
 */
final class DeliverySubscribers implements AutoCloseable {
    private static final byte[] MARKER = "bt".getBytes(StandardCharsets.US_ASCII);

    private final long base = System.nanoTime();
    private final Selector selector;
    private final Thread reader;
    private volatile boolean running = true;
    private volatile long windowFrom = Long.MAX_VALUE;
    private volatile long windowTo = Long.MAX_VALUE;
    private Histogram latencyMicros = new Histogram(TimeUnit.MINUTES.toMicros(2), 3);
    private long received;
    private long receivedTotal;

    private DeliverySubscribers(Selector selector) {
        this.selector = selector;
        this.reader = new Thread(this::readLoop, "delivery-subscribers");
        this.reader.setDaemon(true);
    }

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
        DeliverySubscribers subs = new DeliverySubscribers(Selector.open());
        try {
            for (String key : keys) {
                SocketChannel ch = subscribe(comet, key);
                ch.configureBlocking(false);
                ch.register(subs.selector, SelectionKey.OP_READ, new Frames());
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            subs.close();
            throw e;
        }
        subs.reader.start();
        return subs;
    }

    private static SocketChannel subscribe(InetSocketAddress comet, String key)
            throws IOException, InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            SocketChannel ch = SocketChannel.open(comet);
            ch.socket().setSoTimeout(10_000);
            ch.socket().getOutputStream().write(CometIdleBenchmark.tcpSub(key));
            byte[] reply = ch.socket().getInputStream().readNBytes(4);
            if (new String(reply, StandardCharsets.US_ASCII).equals("+h\r\n")) {
                return ch;
            }
            ch.close();
            if (System.nanoTime() > until) {
                throw new IOException(
                        "comet answered "
                                + new String(reply, StandardCharsets.US_ASCII).trim()
                                + " to sub of "
                                + key);
            }
            Thread.sleep(200); // -n: the comet does not own the ring yet
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

    private void readLoop() {
        ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
        try {
            while (running) {
                selector.select(200);
                for (SelectionKey k : selector.selectedKeys()) {
                    SocketChannel ch = (SocketChannel) k.channel();
                    Frames frames = (Frames) k.attachment();
                    buf.clear();
                    int n = ch.read(buf);
                    if (n < 0) {
                        k.cancel();
                        ch.close();
                        continue;
                    }
                    long now = System.nanoTime();
                    buf.flip();
                    while (buf.hasRemaining()) {
                        long sent = frames.feed(buf.get());
                        if (sent >= 0) {
                            record(sent, now);
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            if (running) {
                System.err.println("delivery subscribers stopped reading: " + e);
            }
        }
    }

    /**
     * Parses one connection's byte stream: lines ({@code +h}, {@code $len}) and frame bodies; for a
     * complete frame answers its {@code bt} value, else -1.
     */
    private static final class Frames {
        private final StringBuilder line = new StringBuilder();
        private int bodyLeft = -1; // -1: reading a line
        private int markerMatched;
        private long value = -1;
        private boolean inValue;

        long feed(byte b) {
            if (bodyLeft < 0) {
                if (b == '\n') {
                    String l = line.toString().trim();
                    line.setLength(0);
                    if (l.startsWith("$")) {
                        bodyLeft = Integer.parseInt(l.substring(1)) + 2; // body, then \r\n
                        markerMatched = 0;
                        value = -1;
                        inValue = false;
                    }
                } else {
                    line.append((char) b);
                }
                return -1;
            }
            bodyLeft--;
            if (value < 0 || inValue) {
                scan(b);
            }
            if (bodyLeft == 0) {
                bodyLeft = -1;
                return value;
            }
            return -1;
        }

        private void scan(byte b) {
            if (inValue) {
                if (b >= '0' && b <= '9') {
                    value = value * 10 + (b - '0');
                } else {
                    inValue = false;
                }
                return;
            }
            if (markerMatched == MARKER.length) {
                if (b >= '0' && b <= '9') {
                    value = b - '0';
                    inValue = true;
                }
                return; // skip quotes, backslashes and the colon up to the digits
            }
            markerMatched = b == MARKER[markerMatched] ? markerMatched + 1 : (b == 'b' ? 1 : 0);
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            reader.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (SelectionKey k : selector.keys()) {
            try {
                k.channel().close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        try {
            selector.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
