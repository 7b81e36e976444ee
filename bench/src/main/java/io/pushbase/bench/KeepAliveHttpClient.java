package io.pushbase.bench;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.SettableFuture;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fixed number of HTTP/1.1 keep-alive connections to one server, all on one Netty event loop
 * ({@link HttpClientCodec} and {@link HttpObjectAggregator}): the load generator of the web-node
 * and standalone benchmarks. Each connection carries one request at a time (no pipelining), so N
 * connections are N closed-loop callers. A connection is opened once (at construction, or with
 * {@link #lazy} at its first request) and reused for every request; only when the server closes it
 * (an answer with {@code Connection: close}, or the socket closing) or a request fails is it opened
 * again, and {@link #reconnects()} counts that, so a run shows whether keep-alive held.
 *
 * <p>Threading: {@link #send} may be called from any thread; the answer completes on the event-loop
 * thread, so listeners must not block (they may send the next request at once). Failure: a future
 * fails with the I/O error, with {@link TimeoutException} after {@value #TIMEOUT_SECONDS} s without
 * a complete answer (the connection is then closed), or on {@link #close()}. Ownership: the client
 * owns its event loop and connections; {@link #close()} releases them.
 */
final class KeepAliveHttpClient implements AutoCloseable {
    static final long TIMEOUT_SECONDS = 30;

    /** Largest answer body accepted (a pull of 100 messages is a few kilobytes). */
    private static final int MAX_ANSWER_BYTES = 16 * 1024 * 1024;

    /** The web node's error description header ({@code Answer.PROBLEM_HEADER}). */
    private static final String PROBLEM_HEADER = "X-Pushbase-Error";

    /**
     * One HTTP answer: status code, body, whether the server closes the connection after it, and
     * the web node's error description header if it sent one.
     */
    record Reply(int status, byte[] body, boolean closes, String problem) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /**
     * One request, immutable and reusable: method, path with query (already encoded), the {@code
     * Host} header value, and a body (empty for none).
     */
    record Request(HttpMethod method, String pathAndQuery, String host, byte[] body) {
        FullHttpRequest toNetty() {
            FullHttpRequest request =
                    new DefaultFullHttpRequest(
                            HttpVersion.HTTP_1_1,
                            method,
                            pathAndQuery,
                            body.length == 0
                                    ? Unpooled.EMPTY_BUFFER
                                    : Unpooled.wrappedBuffer(body));
            request.headers().set(HttpHeaderNames.HOST, host);
            if (body.length > 0) {
                request.headers()
                        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            }
            return request;
        }
    }

    private final MultiThreadIoEventLoopGroup group;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final Connection[] connections;
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong opened = new AtomicLong();
    private volatile boolean closed;

    /** Opens {@code connections} connections to {@code server} and starts the event loop. */
    KeepAliveHttpClient(String name, InetSocketAddress server, int connections) {
        this(name, server, connections, true);
    }

    /**
     * Up to {@code connections} connections to {@code server}, each opened at its first request:
     * for an open-model load that needs many connections only when the server falls behind.
     */
    static KeepAliveHttpClient lazy(String name, InetSocketAddress server, int connections) {
        return new KeepAliveHttpClient(name, server, connections, false);
    }

    private KeepAliveHttpClient(
            String name, InetSocketAddress server, int connections, boolean openNow) {
        // One thread for every connection, as a load generator on few cores should be.
        this.group =
                new MultiThreadIoEventLoopGroup(
                        1, new DefaultThreadFactory(name, true), NioIoHandler.newFactory());
        this.loop = group.next();
        this.bootstrap =
                new Bootstrap()
                        .group(loop)
                        .channel(NioSocketChannel.class)
                        .option(ChannelOption.TCP_NODELAY, true)
                        .remoteAddress(server);
        this.connections = new Connection[connections];
        for (int i = 0; i < connections; i++) {
            this.connections[i] = new Connection();
        }
        if (openNow) {
            loop.execute(
                    () -> {
                        for (Connection c : this.connections) {
                            c.open();
                        }
                    });
        }
        // Every 100 ms is plenty for a 30 s timeout; a timer per request would cost the load
        // generator CPU the server needs.
        loop.scheduleAtFixedRate(this::checkTimeouts, 100, 100, TimeUnit.MILLISECONDS);
    }

    /** A GET request for {@code pathAndQuery} (already encoded). */
    static Request get(InetSocketAddress server, String pathAndQuery) {
        return new Request(HttpMethod.GET, pathAndQuery, host(server), new byte[0]);
    }

    /** A POST request for {@code pathAndQuery} with a JSON body. */
    static Request postJson(InetSocketAddress server, String pathAndQuery, byte[] json) {
        return new Request(HttpMethod.POST, pathAndQuery, host(server), json);
    }

    private static String host(InetSocketAddress server) {
        return server.getHostString() + ":" + server.getPort();
    }

    /** Sends {@code request} on connection {@code connection}, which must be idle. */
    ListenableFuture<Reply> send(int connection, Request request) {
        SettableFuture<Reply> reply = SettableFuture.create();
        if (closed) {
            reply.setException(new IOException("client closed"));
        } else if (loop.inEventLoop()) {
            connections[connection].start(request, reply);
        } else {
            try {
                loop.execute(() -> connections[connection].start(request, reply));
            } catch (RuntimeException e) { // rejected: the loop is shutting down
                reply.setException(new IOException("client closed", e));
            }
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

    private void checkTimeouts() {
        long now = System.nanoTime();
        for (Connection c : connections) {
            c.checkTimeout(now);
        }
    }

    /** Fails what is outstanding, closes every connection and stops the event loop. */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        if (!loop.isShuttingDown()) {
            loop.submit(
                            () -> {
                                for (Connection c : connections) {
                                    c.fail(new IOException("client closed"));
                                }
                            })
                    .await(10, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }

    /** One keep-alive connection and the request it carries; used on the event loop only. */
    private final class Connection extends SimpleChannelInboundHandler<FullHttpResponse> {
        private Channel channel;
        private ChannelFuture connected;
        private SettableFuture<Reply> pending;
        private long sentNanos;
        private boolean everOpened;

        /**
         * Starts connecting without waiting: a server slow to accept (a full accept backlog drops
         * the SYN, and the kernel retries after 1, 3, 7 s) must not stall the event loop and with
         * it every other connection's answers. A request started meanwhile is written once
         * connected.
         */
        void open() {
            if (everOpened) {
                reconnects.incrementAndGet();
            } else {
                everOpened = true;
                opened.incrementAndGet();
            }
            Connection self = this;
            connected =
                    bootstrap
                            .clone()
                            .handler(
                                    new ChannelInitializer<SocketChannel>() {
                                        @Override
                                        protected void initChannel(SocketChannel ch) {
                                            ch.pipeline()
                                                    .addLast(new HttpClientCodec())
                                                    .addLast(
                                                            new HttpObjectAggregator(
                                                                    MAX_ANSWER_BYTES))
                                                    .addLast(self);
                                        }
                                    })
                            .connect();
            channel = connected.channel();
            Channel mine = channel;
            mine.closeFuture().addListener(f -> closedBy(mine));
        }

        @Override
        public boolean isSharable() {
            return true; // one connection at a time, but added again to each new channel
        }

        void start(Request request, SettableFuture<Reply> reply) {
            if (pending != null) {
                reply.setException(new IllegalStateException("connection busy"));
                return;
            }
            pending = reply;
            sentNanos = System.nanoTime();
            if (channel == null) {
                open();
            }
            Channel target = channel;
            connected.addListener(
                    f -> {
                        if (!f.isSuccess()) {
                            failIfCurrent(target, f.cause());
                        } else if (target == channel && pending == reply) {
                            target.writeAndFlush(request.toNetty())
                                    .addListener(
                                            w -> {
                                                if (!w.isSuccess()) {
                                                    failIfCurrent(target, w.cause());
                                                }
                                            });
                        }
                    });
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            if (ctx.channel() != channel || pending == null) {
                return; // an answer nobody waits for any more (timed out, closed)
            }
            Reply reply =
                    new Reply(
                            response.status().code(),
                            ByteBufUtil.getBytes(response.content()),
                            !HttpUtil.isKeepAlive(response),
                            response.headers().get(PROBLEM_HEADER));
            SettableFuture<Reply> done = pending;
            pending = null;
            if (reply.closes()) {
                closeChannel();
            }
            done.set(reply); // may start the next request on this connection at once
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failIfCurrent(ctx.channel(), cause);
        }

        /** The server (or a failure) closed {@code closedChannel}. */
        private void closedBy(Channel closedChannel) {
            failIfCurrent(closedChannel, new IOException("connection closed by the server"));
        }

        private void failIfCurrent(Channel which, Throwable error) {
            if (which == channel) {
                fail(error);
            } else {
                which.close();
            }
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
                Channel old = channel;
                channel = null;
                connected = null;
                old.close();
            }
        }
    }
}
