package io.pushbase.comet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultithreadEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.NettyRuntime;
import org.junit.jupiter.api.Test;

class EventLoopsTest {

    @Test
    void thePreferredTransportIsEpollWhereTheNativeLibraryLoadsElseNio() {
        assertThat(Transport.preferred())
                .isEqualTo(Epoll.isAvailable() ? Transport.EPOLL : Transport.NIO);
        assertThat(Transport.EPOLL.serverChannelType()).isEqualTo(EpollServerSocketChannel.class);
        assertThat(Transport.NIO.serverChannelType()).isEqualTo(NioServerSocketChannel.class);
        assertThat(Transport.NIO.unavailabilityCause()).isNull();
    }

    @Test
    void onLinuxX8664TheNativeJarIsOnTheClassPathSoEpollIsPreferred() {
        assumeTrue(
                "Linux".equals(System.getProperty("os.name"))
                        && "amd64".equals(System.getProperty("os.arch")),
                "the native epoll jar is linux-x86_64 only");
        assertThat(Transport.EPOLL.unavailabilityCause()).isNull();
        assertThat(Transport.preferred()).isEqualTo(Transport.EPOLL);
    }

    @Test
    void theGroupsExistFromStartToStopAndEndWithIt() throws Exception {
        EventLoops loops = new EventLoops(Transport.preferred(), 3);
        assertThatThrownBy(loops::workers).isInstanceOf(IllegalStateException.class);

        loops.start();
        EventLoopGroup boss = loops.boss();
        EventLoopGroup workers = loops.workers();
        assertThat(((MultithreadEventLoopGroup) boss).executorCount()).isEqualTo(1);
        assertThat(((MultithreadEventLoopGroup) workers).executorCount()).isEqualTo(3);
        assertThat(loops.transport()).isEqualTo(Transport.preferred());

        loops.stop();
        assertThat(boss.isTerminated()).isTrue();
        assertThat(workers.isTerminated()).isTrue();
        assertThatThrownBy(loops::boss).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(loops::start).isInstanceOf(IllegalStateException.class);
        loops.stop(); // idempotent
    }

    @Test
    void zeroWorkerThreadsMeansNettysDefaultOfTwiceTheCores() throws Exception {
        EventLoops loops = new EventLoops(Transport.NIO, 0);
        loops.start();
        try {
            assertThat(((MultithreadEventLoopGroup) loops.workers()).executorCount())
                    .isEqualTo(
                            Integer.getInteger(
                                    "io.netty.eventLoopThreads",
                                    2 * NettyRuntime.availableProcessors()));
        } finally {
            loops.stop();
        }
    }

    @Test
    void stoppingLoopsThatNeverStartedDoesNothing() throws Exception {
        new EventLoops(Transport.NIO, 1).stop();
    }
}
