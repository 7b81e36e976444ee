package io.pushbase.comet.testing;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Stands in for a socket whose peer does not read: added first in a pipeline, it holds every write
 * (message and promise) until the test drains or discards them, so writes stay pending as they
 * would behind a full TCP send buffer.
 */
public final class StallingOutbound extends ChannelOutboundHandlerAdapter {
    private record Held(Object msg, ChannelPromise promise) {}

    private final Deque<Held> held = new ArrayDeque<>();
    private ChannelHandlerContext ctx;

    /** From now on the peer of {@code channel} reads nothing until the test drains the result. */
    public static StallingOutbound stall(Channel channel) {
        StallingOutbound socket = new StallingOutbound();
        channel.pipeline().addFirst(socket);
        return socket;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        held.add(new Held(msg, promise));
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        // The peer reads nothing: nothing leaves.
    }

    public int held() {
        return held.size();
    }

    /** The peer catches up: every held write goes to the socket and completes. */
    public void drain() {
        for (Held h; (h = held.poll()) != null; ) {
            ctx.write(h.msg, h.promise);
        }
        ctx.flush();
    }

    /** The connection died with these writes unsent: release them and fail their promises. */
    public void discard() {
        for (Held h; (h = held.poll()) != null; ) {
            ReferenceCountUtil.release(h.msg);
            h.promise.tryFailure(new ClosedChannelException());
        }
    }
}
