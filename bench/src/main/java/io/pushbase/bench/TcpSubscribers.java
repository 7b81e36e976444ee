package io.pushbase.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * TCP subscribers of a comet, as gopush-cluster's TCP clients connect: one connection per key,
 * subscribed with the RESP {@code sub} (PROTOCOL.md section 3), then all read by one NIO selector
 * thread — a thread per subscriber would take the CPU the server under test needs. The reader
 * splits each connection's stream into pushed frames ({@code $<len>\r\n<json>\r\n}) and hands every
 * frame's body to a {@link FrameSink}; with {@link Subscription#heartbeats()} it also sends the
 * client heartbeat {@code h} every half heartbeat period, so the comet (which closes a connection
 * silent for heartbeat + 5 s) keeps them open for any length of run.
 *
 * <p>Threading: {@link #open} runs on the caller's thread; afterwards only the reader thread
 * touches the connections and calls the sink; the counters are safe to read from any thread. Owns
 * its sockets and thread; {@link #close()} ends both.
 */
final class TcpSubscribers implements AutoCloseable {
    /** Receives each pushed frame's body on the reader thread; must not block. */
    @FunctionalInterface
    interface FrameSink {
        /**
         * @param subscriber the index of the subscriber's key in the list given to {@link #open}
         * @param body the message JSON in {@code body[0..length)}; reused after the call returns
         * @param arrivalNanos {@link System#nanoTime()} when the read that completed it returned
         */
        void frame(int subscriber, byte[] body, int length, long arrivalNanos);
    }

    /**
     * How each connection subscribes.
     *
     * @param heartbeatSeconds the heartbeat period announced in the {@code sub}
     * @param version the client version argument; null sends the 3-argument {@code sub} (old
     *     message format: the payload as a JSON string), otherwise 5 arguments with an empty token
     *     (new format: the payload as raw JSON)
     * @param heartbeats whether to send {@code h} every half period (a run longer than the period
     *     needs it)
     */
    record Subscription(int heartbeatSeconds, String version, boolean heartbeats) {}

    /**
     * Told on the reader thread when a connection's subscription is answered (its first {@code
     * +h}); must not block.
     */
    @FunctionalInterface
    interface SubscribedSink {
        void subscribed(int subscriber, long arrivalNanos);
    }

    private static final byte[] HEARTBEAT = {'h'};

    private final Selector selector;
    private final Subscription subscription;
    private final FrameSink sink;
    private final Thread reader;
    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong closedByServer = new AtomicLong();
    private final AtomicLong errorReplies = new AtomicLong();
    private final AtomicLong shortWrites = new AtomicLong();
    private final AtomicLong joined = new AtomicLong();
    private final Map<String, LongAdder> resumeAnswers = new ConcurrentHashMap<>();
    private final SubscribedSink subscribed;
    private final Map<Integer, SocketChannel> channels = new ConcurrentHashMap<>();
    private volatile boolean running = true;

    private TcpSubscribers(
            Selector selector,
            Subscription subscription,
            FrameSink sink,
            SubscribedSink subscribed) {
        this.selector = selector;
        this.subscription = subscription;
        this.sink = sink;
        this.subscribed = subscribed;
        this.reader = new Thread(this::readLoop, "tcp-subscribers");
        this.reader.setDaemon(true);
    }

    /**
     * Subscribes one connection per key, in order (a key the comet does not own yet, answered
     * {@code -n}, is retried for up to 60 s), then starts reading.
     *
     * @throws IOException when a key cannot be subscribed; nothing stays open then
     */
    static TcpSubscribers open(
            InetSocketAddress comet, List<String> keys, Subscription subscription, FrameSink sink)
            throws IOException, InterruptedException {
        TcpSubscribers subs =
                new TcpSubscribers(Selector.open(), subscription, sink, (s, at) -> {});
        try {
            for (int i = 0; i < keys.size(); i++) {
                SocketChannel ch = subscribe(comet, keys.get(i), subscription);
                ch.configureBlocking(false);
                Frames frames = subs.new Frames(i, null);
                frames.subscribed = true; // its +h was read above
                subs.channels.put(i, ch);
                ch.register(subs.selector, SelectionKey.OP_READ, frames);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            subs.close();
            throw e;
        }
        subs.reader.start();
        return subs;
    }

    /**
     * Opens one connection per request at once — every connect started before any is answered, as
     * clients of a restarted comet come back — each sending its request ({@link #subCommand}) as
     * soon as it is connected, then reads them all. A connection that fails is counted in {@link
     * #closedByServer()}, not retried. Each connection's first {@code +h} is told to {@code
     * subscribed}; resume answers ({@code +r ...}) are counted by their text ({@link
     * #resumeAnswers()}). {@link #close()} resets these connections (no TIME_WAIT left behind).
     */
    static TcpSubscribers connectAll(
            InetSocketAddress comet,
            List<byte[]> requests,
            Subscription subscription,
            FrameSink sink,
            SubscribedSink subscribed)
            throws IOException {
        TcpSubscribers subs = new TcpSubscribers(Selector.open(), subscription, sink, subscribed);
        try {
            for (int i = 0; i < requests.size(); i++) {
                SocketChannel ch = SocketChannel.open();
                ch.configureBlocking(false);
                // Closed with a reset: tens of thousands of connections a run would otherwise
                // leave as many loopback ports in TIME_WAIT.
                ch.setOption(StandardSocketOptions.SO_LINGER, 0);
                Frames frames = subs.new Frames(i, ByteBuffer.wrap(requests.get(i)));
                subs.channels.put(i, ch);
                if (ch.connect(comet)) {
                    frames.send(ch);
                    ch.register(subs.selector, SelectionKey.OP_READ, frames);
                } else {
                    ch.register(subs.selector, SelectionKey.OP_CONNECT, frames);
                }
            }
        } catch (IOException | RuntimeException e) {
            subs.close();
            throw e;
        }
        subs.reader.start();
        return subs;
    }

    /**
     * The RESP {@code sub} request: {@code *3} (key, heartbeat) without a version, else {@code *5}
     * with an empty token and the version, as gopush-cluster's clients send it.
     */
    static byte[] subCommand(String key, int heartbeatSeconds, String version) {
        return subCommand(key, heartbeatSeconds, version, null);
    }

    /**
     * The same, with {@code since} (non-null) as a sixth argument: a resume after that mid
     * (docs/REPLAY.md); it needs a version (an empty one is sent for null).
     */
    static byte[] subCommand(String key, int heartbeatSeconds, String version, Long since) {
        String hb = Integer.toString(heartbeatSeconds);
        int args = since != null ? 6 : version == null ? 3 : 5;
        StringBuilder resp = new StringBuilder("*").append(args).append("\r\n");
        bulk(resp, "sub");
        bulk(resp, key);
        bulk(resp, hb);
        if (args > 3) {
            bulk(resp, "");
            bulk(resp, version == null ? "" : version);
        }
        if (since != null) {
            bulk(resp, since.toString());
        }
        return resp.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void bulk(StringBuilder resp, String arg) {
        resp.append('$')
                .append(arg.getBytes(StandardCharsets.UTF_8).length)
                .append("\r\n")
                .append(arg)
                .append("\r\n");
    }

    private static SocketChannel subscribe(
            InetSocketAddress comet, String key, Subscription subscription)
            throws IOException, InterruptedException {
        byte[] sub = subCommand(key, subscription.heartbeatSeconds(), subscription.version());
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            SocketChannel ch = SocketChannel.open(comet);
            ch.socket().setSoTimeout(10_000);
            ch.socket().getOutputStream().write(sub);
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

    /**
     * Sends {@code request} (a few hundred bytes at most, e.g. an {@code ack}) on subscriber {@code
     * subscriber}'s connection. Only from the reader thread, i.e. from the {@link FrameSink}: the
     * socket is non-blocking, so a request its send buffer does not take whole is counted in {@link
     * #shortWrites()} and answered false instead of blocking the reader.
     */
    boolean write(int subscriber, byte[] request) {
        SocketChannel ch = channels.get(subscriber);
        if (ch == null || !ch.isOpen()) {
            return false;
        }
        try {
            ByteBuffer buf = ByteBuffer.wrap(request);
            ch.write(buf);
            if (buf.hasRemaining()) {
                shortWrites.incrementAndGet();
                return false;
            }
            return true;
        } catch (IOException e) {
            return false; // the read side notices the closed connection and counts it
        }
    }

    /** Requests {@link #write} could not send whole (a full send buffer). */
    long shortWrites() {
        return shortWrites.get();
    }

    /** Frames read since start. */
    long frames() {
        return frames.get();
    }

    /** Connections the comet closed (or that failed) while this held them open. */
    long closedByServer() {
        return closedByServer.get();
    }

    /**
     * Error replies ({@code -p}, {@code -n}...) and bytes that were not a frame, {@code +h}, a join
     * or a resume answer.
     */
    long errorReplies() {
        return errorReplies.get();
    }

    /** Rooms joined ({@code +j <room>} answers, docs/PROTOCOL.md "Rooms") so far. */
    long joined() {
        return joined.get();
    }

    /** Resume answers received so far by their text ({@code +r complete}: count). */
    Map<String, Long> resumeAnswers() {
        Map<String, Long> map = new TreeMap<>();
        resumeAnswers.forEach((answer, n) -> map.put(answer, n.sum()));
        return map;
    }

    private void readLoop() {
        ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
        long heartbeatEvery = TimeUnit.SECONDS.toNanos(subscription.heartbeatSeconds()) / 2;
        long nextHeartbeat = System.nanoTime() + heartbeatEvery;
        try {
            while (running) {
                selector.select(200);
                for (SelectionKey k : selector.selectedKeys()) {
                    read(k, buf);
                }
                selector.selectedKeys().clear();
                if (subscription.heartbeats() && System.nanoTime() >= nextHeartbeat) {
                    nextHeartbeat += heartbeatEvery;
                    heartbeat();
                }
            }
        } catch (IOException e) {
            if (running) {
                System.err.println("TCP subscribers stopped reading: " + e);
            }
        }
    }

    private void read(SelectionKey k, ByteBuffer buf) throws IOException {
        SocketChannel ch = (SocketChannel) k.channel();
        Frames frames = (Frames) k.attachment();
        if (k.isValid() && k.isConnectable()) {
            try {
                ch.finishConnect();
                frames.send(ch);
                k.interestOps(SelectionKey.OP_READ);
            } catch (IOException e) {
                k.cancel();
                ch.close();
                closedByServer.incrementAndGet();
            }
            return;
        }
        buf.clear();
        int n;
        try {
            n = ch.read(buf);
        } catch (IOException e) {
            n = -1; // reset by the comet: counted as closed
        }
        if (n < 0) {
            k.cancel();
            ch.close();
            closedByServer.incrementAndGet();
            return;
        }
        long now = System.nanoTime();
        buf.flip();
        while (buf.hasRemaining()) {
            frames.feed(buf.get(), now);
        }
    }

    /** One byte per connection: always fits the socket's send buffer, so never blocks. */
    private void heartbeat() {
        for (SelectionKey k : selector.keys()) {
            if (!k.isValid() || (k.interestOps() & SelectionKey.OP_CONNECT) != 0) {
                continue; // gone, or not connected yet
            }
            try {
                ((SocketChannel) k.channel()).write(ByteBuffer.wrap(HEARTBEAT));
            } catch (IOException e) {
                // the read side notices the closed connection and counts it
            }
        }
    }

    /** Splits one connection's byte stream into lines ({@code +h}, {@code $len}) and bodies. */
    private final class Frames {
        private final int subscriber;
        private final ByteBuffer request;
        private final StringBuilder line = new StringBuilder();
        private byte[] body = new byte[256];
        private int bodyLength;
        private int bodyRead;
        private boolean inBody;
        private boolean subscribed;

        /** {@code request}: what to send once connected ({@link #connectAll}), else null. */
        Frames(int subscriber, ByteBuffer request) {
            this.subscriber = subscriber;
            this.request = request;
        }

        /**
         * Writes the request: a few hundred bytes, which a new socket's send buffer takes whole.
         */
        void send(SocketChannel ch) throws IOException {
            ch.write(request);
            if (request.hasRemaining()) {
                throw new IOException("sub request not sent whole");
            }
        }

        void feed(byte b, long now) {
            if (!inBody) {
                if (b != '\n') {
                    line.append((char) b);
                    return;
                }
                String l = line.toString().trim();
                line.setLength(0);
                if (l.startsWith("$")) {
                    bodyLength = Integer.parseInt(l.substring(1));
                    if (body.length < bodyLength + 2) {
                        body = Arrays.copyOf(body, bodyLength + 2);
                    }
                    bodyRead = 0;
                    inBody = true;
                } else if (l.equals("+h")) {
                    if (!subscribed) {
                        subscribed = true;
                        TcpSubscribers.this.subscribed.subscribed(subscriber, now);
                    }
                } else if (l.startsWith("+j ")) {
                    joined.incrementAndGet();
                } else if (l.startsWith("+r ")) {
                    resumeAnswers.computeIfAbsent(l, a -> new LongAdder()).increment();
                } else {
                    errorReplies.incrementAndGet();
                }
                return;
            }
            body[bodyRead++] = b; // the body, then its \r\n
            if (bodyRead == bodyLength + 2) {
                inBody = false;
                frames.incrementAndGet();
                sink.frame(subscriber, body, bodyLength, now);
            }
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
