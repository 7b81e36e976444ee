package io.pushbase.comet.server;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

/**
 * The Netty I/O transport the comet's event loops and listeners run on. Native epoll where it loads
 * (Linux x86-64 with the native jar on the class path, docs/DEPENDENCIES.md pitfall 5): fewer
 * objects and system calls per idle connection than NIO, and edge-triggered readiness. NIO
 * everywhere else.
 */
public enum Transport {
    /** Linux native epoll ({@code netty-transport-native-epoll}, linux-x86_64). */
    EPOLL,
    /** The JDK's NIO selector; works on every platform. */
    NIO;

    /** Epoll when {@link Epoll#isAvailable()}, otherwise NIO. */
    public static Transport preferred() {
        return Epoll.isAvailable() ? EPOLL : NIO;
    }

    /**
     * Why epoll cannot be used here, for the log; null when it can (or for NIO, which always can).
     */
    public Throwable unavailabilityCause() {
        return this == EPOLL ? Epoll.unavailabilityCause() : null;
    }

    /** A factory for this transport's I/O handlers, one per event loop. */
    IoHandlerFactory newIoHandlerFactory() {
        return switch (this) {
            case EPOLL -> EpollIoHandler.newFactory();
            case NIO -> NioIoHandler.newFactory();
        };
    }

    /** The listening socket channel class that runs on this transport's event loops. */
    public Class<? extends ServerSocketChannel> serverChannelType() {
        return switch (this) {
            case EPOLL -> EpollServerSocketChannel.class;
            case NIO -> NioServerSocketChannel.class;
        };
    }
}
