package io.pushbase.cluster.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.pushbase.schema.message.v1.MessageServiceGrpc;
import io.pushbase.schema.message.v1.PingReply;
import io.pushbase.schema.message.v1.PingRequest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GrpcTransportTest {

    /** Answers Ping with a fixed node name. */
    private static final class PingService extends MessageServiceGrpc.MessageServiceImplBase {
        @Override
        public void ping(PingRequest request, StreamObserver<PingReply> out) {
            out.onNext(PingReply.newBuilder().setNode("node-a").build());
            out.onCompleted();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static GrpcServer serve(GrpcTransport transport, int port) {
        return transport.server(
                NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                        .directExecutor(),
                "127.0.0.1:" + port,
                1_000,
                List.of(new PingService().bindService()));
    }

    private static String ping(ManagedChannelBuilder<?> builder) throws InterruptedException {
        ManagedChannel channel = builder.build();
        try {
            return MessageServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .ping(PingRequest.getDefaultInstance())
                    .getNode();
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aNodeOfThisProcessIsReachedInProcessOnlyWhileItsServerRuns() throws Exception {
        GrpcTransport transport = GrpcTransport.inProcess();
        int port = freePort();
        String address = "127.0.0.1:" + port;
        GrpcServer server = serve(transport, port);

        assertThat(transport.channelTo(address)).isInstanceOf(NettyChannelBuilder.class);
        server.start();
        try {
            assertThat(transport.channelTo(address)).isInstanceOf(InProcessChannelBuilder.class);
            assertThat(ping(transport.channelTo(address))).isEqualTo("node-a");
            // The TCP server still serves other processes.
            assertThat(ping(NettyChannelBuilder.forTarget(address).usePlaintext()))
                    .isEqualTo("node-a");
        } finally {
            server.stop();
        }
        assertThat(transport.channelTo(address)).isInstanceOf(NettyChannelBuilder.class);
    }

    @Test
    void theNetworkTransportAndOtherProcessesTransportsUseTcp() throws Exception {
        int port = freePort();
        String address = "127.0.0.1:" + port;
        GrpcServer server = serve(GrpcTransport.inProcess(), port);
        server.start();
        try {
            assertThat(GrpcTransport.network().channelTo(address))
                    .isInstanceOf(NettyChannelBuilder.class);
            GrpcTransport other = GrpcTransport.inProcess();
            assertThat(other.channelTo(address)).isInstanceOf(NettyChannelBuilder.class);
            assertThat(ping(other.channelTo(address))).isEqualTo("node-a");
        } finally {
            server.stop();
        }
    }

    @Test
    void theNetworkTransportServesOverTcpOnly() throws Exception {
        int port = freePort();
        String address = "127.0.0.1:" + port;
        GrpcServer server = serve(GrpcTransport.network(), port);
        server.start();
        try {
            assertThat(server.port()).isEqualTo(port);
            assertThat(GrpcTransport.network().channelTo(address))
                    .isInstanceOf(NettyChannelBuilder.class);
            assertThat(ping(GrpcTransport.network().channelTo(address))).isEqualTo("node-a");
        } finally {
            server.stop();
        }
    }
}
