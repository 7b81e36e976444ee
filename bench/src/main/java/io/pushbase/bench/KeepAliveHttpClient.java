package io.pushbase.bench;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.SettableFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fixed number of HTTP/1.1 keep-alive connections to one server, all driven by one selector
 * thread: the load generator of the web-node and standalone benchmarks. Each connection carries one
 * request at a time (no pipelining), so N connections are N closed-loop callers. A connection is
 * opened once (at construction, or with {@link #lazy} at its first request) and reused for every
 * request; only when the server closes it (or a request fails) is it opened again, and {@link
 * #reconnects()} counts that, so a run shows whether keep-alive held.
 *
 * <p>Threading: {@link #send} may be called from any thread; the answer completes on the selector
 * thread, so listeners must not block. Failure: a future fails with the I/O error, with {@link
 * TimeoutException} after {@value #TIMEOUT_SECONDS} s without an answer, or on {@link #close()}.
 * Responses are parsed with Content-Length or chunked transfer encoding.
 */
final class KeepAliveHttpClient implements AutoCloseable {
    static final long TIMEOUT_SECONDS = 30;
    private static final int BUFFER_BYTES = 64 * 1024;

    /**
     * One HTTP answer: status code, body, whether the server closes the connection after it, and
     * the web node's error description header if it sent one.
     */
    record Reply(int status, byte[] body, boolean closes, String problem) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final InetSocketAddress server;
    private final Connection[] connections;
    private final Selector selector;
    private final Thread thread;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong opened = new AtomicLong();
    private volatile boolean closed;

    /** Selector-thread only: when pending requests were last checked for their timeout. */
    private long lastTimeoutScan;

    /** Opens {@code connections} connections to {@code server} and starts the selector thread. */
    KeepAliveHttpClient(String name, InetSocketAddress server, int connections) throws IOException {
        this(name, server, connections, true);
    }

    /**
     * Up to {@code connections} connections to {@code server}, each opened at its first request:
     * for an open-model load that needs many connections only when the server falls behind.
     */
    static KeepAliveHttpClient lazy(String name, InetSocketAddress server, int connections)
            throws IOException {
        return new KeepAliveHttpClient(name, server, connections, false);
    }

    private KeepAliveHttpClient(
            String name, InetSocketAddress server, int connections, boolean openNow)
            throws IOException {
        this.server = server;
        this.selector = Selector.open();
        this.connections = new Connection[connections];
        try {
            for (int i = 0; i < connections; i++) {
                this.connections[i] = new Connection();
                if (openNow) {
                    this.connections[i].open();
                }
            }
        } catch (IOException e) {
            for (Connection c : this.connections) {
                if (c != null) {
                    c.fail(e);
                }
            }
            selector.close();
            throw e;
        }
        this.thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** A GET request for {@code pathAndQuery} (already encoded). */
    static byte[] get(InetSocketAddress server, String pathAndQuery) {
        return (head("GET", server, pathAndQuery) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** A POST request for {@code pathAndQuery} with a JSON body. */
    static byte[] postJson(InetSocketAddress server, String pathAndQuery, byte[] json) {
        byte[] head =
                (head("POST", server, pathAndQuery)
                                + "Content-Type: application/json\r\nContent-Length: "
                                + json.length
                                + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
        byte[] request = new byte[head.length + json.length];
        System.arraycopy(head, 0, request, 0, head.length);
        System.arraycopy(json, 0, request, head.length, json.length);
        return request;
    }

    private static String head(String method, InetSocketAddress server, String pathAndQuery) {
        return method
                + " "
                + pathAndQuery
                + " HTTP/1.1\r\nHost: "
                + server.getHostString()
                + ":"
                + server.getPort()
                + "\r\n";
    }

    /** Sends {@code request} on connection {@code connection}, which must be idle. */
    ListenableFuture<Reply> send(int connection, byte[] request) {
        SettableFuture<Reply> reply = SettableFuture.create();
        if (closed) {
            reply.setException(new IOException("client closed"));
        } else if (Thread.currentThread() == thread) {
            connections[connection].start(request, reply);
        } else {
            tasks.add(() -> connections[connection].start(request, reply));
            selector.wakeup();
        }
        return reply;
    }

    /** Connections opened again after the first (the server closed one, or a request failed). */
    long reconnects() {
        return reconnects.get();
    }

    /** Connections opened at least once (all of them unless {@link #lazy}). */
    long opened() {
        return opened.get();
    }

    private void loop() {
        try {
            while (!closed) {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    ((Connection) key.attachment()).ready(key);
                }
                selector.selectedKeys().clear();
                for (Runnable task; (task = tasks.poll()) != null; ) {
                    task.run();
                }
                // Every 100 ms is plenty for a 30 s timeout; scanning thousands of connections on
                // every wake-up would cost the load generator CPU the server needs.
                long now = System.nanoTime();
                if (now - lastTimeoutScan > TimeUnit.MILLISECONDS.toNanos(100)) {
                    lastTimeoutScan = now;
                    for (Connection c : connections) {
                        c.checkTimeout(now);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                System.err.println("HTTP client loop failed: " + e);
            }
        } finally {
            for (Connection c : connections) {
                c.fail(new IOException("client closed"));
            }
        }
    }

    /** Stops the selector thread, fails what is outstanding and closes every connection. */
    @Override
    public void close() throws InterruptedException, IOException {
        closed = true;
        selector.wakeup();
        thread.join(TimeUnit.SECONDS.toMillis(10));
        selector.close();
    }

    /** One keep-alive connection and the request it carries; used on the selector thread only. */
    private final class Connection {
        private SocketChannel channel;
        private SelectionKey key;
        private ByteBuffer out;
        private ByteBuffer in = ByteBuffer.allocate(BUFFER_BYTES);
        private SettableFuture<Reply> pending;
        private long sentNanos;
        private boolean everOpened;

        private boolean connecting;

        /**
         * Opens the connection without waiting for the connect to complete ({@link #ready} finishes
         * it): a server slow to accept (a full accept backlog drops the SYN, and the kernel retries
         * after 1, 3, 7 s) must not stall the selector thread and with it every other connection's
         * answers.
         */
        void open() throws IOException {
            if (everOpened) {
                reconnects.incrementAndGet();
            } else {
                everOpened = true;
                opened.incrementAndGet();
            }
            channel = SocketChannel.open();
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.configureBlocking(false);
            connecting = !channel.connect(server);
            key = channel.register(selector, connecting ? SelectionKey.OP_CONNECT : 0, this);
            in.clear();
        }

        void start(byte[] request, SettableFuture<Reply> reply) {
            if (pending != null) {
                reply.setException(new IllegalStateException("connection busy"));
                return;
            }
            pending = reply;
            sentNanos = System.nanoTime();
            out = ByteBuffer.wrap(request);
            try {
                if (channel == null) {
                    open();
                }
                if (!connecting) {
                    write();
                }
            } catch (IOException e) {
                fail(e);
            }
        }

        void ready(SelectionKey k) {
            try {
                if (k.isConnectable()) {
                    channel.finishConnect();
                    connecting = false;
                    if (out != null && out.hasRemaining()) {
                        write();
                    } else {
                        key.interestOps(0);
                    }
                } else if (k.isWritable()) {
                    write();
                } else if (k.isReadable()) {
                    read();
                }
            } catch (IOException | RuntimeException e) {
                fail(e);
            }
        }

        private void write() throws IOException {
            channel.write(out);
            key.interestOps(out.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }

        private void read() throws IOException {
            if (!in.hasRemaining()) {
                ByteBuffer bigger = ByteBuffer.allocate(in.capacity() * 2);
                in.flip();
                bigger.put(in);
                in = bigger;
            }
            int n = channel.read(in);
            if (n < 0) {
                throw new IOException("connection closed by the server");
            }
            Reply reply = HttpResponseParser.parse(in.array(), in.position());
            if (reply == null) {
                return;
            }
            in.clear();
            key.interestOps(0);
            SettableFuture<Reply> done = pending;
            pending = null;
            if (reply.closes()) {
                closeChannel();
            }
            done.set(reply); // may start the next request on this connection at once
        }

        void checkTimeout(long now) {
            if (pending != null && now - sentNanos > TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS)) {
                fail(new TimeoutException("no answer within " + TIMEOUT_SECONDS + " s"));
            }
        }

        void fail(Throwable error) {
            closeChannel();
            SettableFuture<Reply> done = pending;
            pending = null;
            if (done != null) {
                done.setException(error);
            }
        }

        private void closeChannel() {
            if (channel != null) {
                if (key != null) {
                    key.cancel();
                    key = null;
                }
                try {
                    channel.close();
                } catch (IOException e) {
                    // closing after a failure: nothing more to do
                }
                channel = null;
            }
            in.clear();
        }
    }
}
