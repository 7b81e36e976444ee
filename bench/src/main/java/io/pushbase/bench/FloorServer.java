package io.pushbase.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.pushbase.schema.client.MessageFormat;
import io.pushbase.schema.client.MessageJson;
import io.pushbase.schema.client.Rooms;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The room benchmark's floor ({@link RoomFanoutBenchmark}): a plain Netty server, run as a child
 * JVM of its own (its accepted sockets would otherwise count against the benchmark JVM's open-file
 * limit, which the clients fill), that accepts TCP connections, answers each connection's first
 * bytes (its {@code sub}) with {@code +h} and {@code +j <room>}, as a comet answers a {@code sub}
 * joining that room (only {@code +h} for room {@value Rooms#ALL}, the broadcast case: a plain
 * {@code sub}), and, for every line {@code <sentNanos>} read on its standard input, writes one room
 * message's TCP frame ({@code $<len>\r\n<json>\r\n}, the JSON rendered by the comet's own {@link
 * MessageJson#renderRoom} in the {@code pushbase.1} format, so the bytes are a comet's but for the
 * mid's value; a broadcast's carries {@code "gid":1,"room":"*"}) to every connection: one buffer, a
 * {@code retainedDuplicate()} per connection, one task per event loop that writes to its
 * connections and then flushes them — the least any server can do to send the same bytes. Prints
 * {@code port <n>} once listening; exits when its standard input closes.
 *
 * <p>Arguments: the number of event loops (default 2), the room (default {@code bench}).
 */
public final class FloorServer {
    private FloorServer() {}

    /** Listens on an ephemeral loopback port; see the class comment for the protocol. */
    public static void main(String[] args) throws Exception {
        int workers = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        String room = args.length > 1 ? args[1] : "bench";
        byte[] answer =
                (Rooms.ALL.equals(room) ? "+h\r\n" : "+h\r\n+j " + room + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
        Map<EventLoop, Set<Channel>> byLoop = new ConcurrentHashMap<>();
        MultiThreadIoEventLoopGroup boss =
                new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        MultiThreadIoEventLoopGroup group =
                new MultiThreadIoEventLoopGroup(workers, NioIoHandler.newFactory());
        Channel server =
                new ServerBootstrap()
                        .group(boss, group)
                        .channel(NioServerSocketChannel.class)
                        .option(ChannelOption.SO_BACKLOG, 4096)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childHandler(
                                new ChannelInitializer<SocketChannel>() {
                                    @Override
                                    protected void initChannel(SocketChannel ch) {
                                        ch.pipeline().addLast(new Member(byLoop, answer));
                                    }
                                })
                        .bind(new InetSocketAddress("127.0.0.1", 0))
                        .sync()
                        .channel();
        System.out.println("port " + ((InetSocketAddress) server.localAddress()).getPort());
        System.out.flush();
        BufferedReader in =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        long mid = 17_952_546_363_411_610L;
        for (String line; (line = in.readLine()) != null; ) {
            send(byLoop, frame(line.trim(), ++mid, room));
        }
        server.close().sync();
        boss.shutdownGracefully().sync();
        group.shutdownGracefully().sync();
    }

    /**
     * The TCP frame of a comet's message of {@code room} (as {@code Framing.TCP.roomMessage} builds
     * it) whose payload is {@code {"sent":<sent>}}.
     */
    static ByteBuf frame(String sent, long mid, String room) {
        byte[] payload = ("{\"sent\":" + sent + "}").getBytes(StandardCharsets.US_ASCII);
        byte[] body = MessageJson.renderRoom(mid, payload, MessageFormat.EXACT, room);
        byte[] head = ("$" + body.length + "\r\n").getBytes(StandardCharsets.US_ASCII);
        ByteBuf frame = Unpooled.directBuffer(head.length + body.length + 2);
        return frame.writeBytes(head).writeBytes(body).writeByte('\r').writeByte('\n');
    }

    private static void send(Map<EventLoop, Set<Channel>> byLoop, ByteBuf frame) {
        for (Map.Entry<EventLoop, Set<Channel>> loop : byLoop.entrySet()) {
            ByteBuf shared = frame.retain(); // released by this loop's task
            loop.getKey()
                    .execute(
                            () -> {
                                try {
                                    List<Channel> written = new ArrayList<>();
                                    for (Channel ch : loop.getValue()) {
                                        if (ch.isActive()) {
                                            ch.write(shared.retainedDuplicate(), ch.voidPromise());
                                            written.add(ch);
                                        }
                                    }
                                    // One flush per connection after the whole batch is queued.
                                    written.forEach(Channel::flush);
                                } finally {
                                    shared.release();
                                }
                            });
        }
        frame.release();
    }

    /**
     * A connection: answers its first bytes with {@code answer} ({@code +h}, and the join's {@code
     * +j}), discards the rest (heartbeats).
     */
    private static final class Member extends ChannelInboundHandlerAdapter {
        private final Map<EventLoop, Set<Channel>> byLoop;
        private final byte[] answer;
        private boolean answered;

        Member(Map<EventLoop, Set<Channel>> byLoop, byte[] answer) {
            this.byLoop = byLoop;
            this.answer = answer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            if (!answered) {
                answered = true;
                ctx.writeAndFlush(Unpooled.wrappedBuffer(answer));
                byLoop.computeIfAbsent(
                                ctx.channel().eventLoop(), l -> ConcurrentHashMap.newKeySet())
                        .add(ctx.channel());
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            Set<Channel> members = byLoop.get(ctx.channel().eventLoop());
            if (members != null) {
                members.remove(ctx.channel());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
