package io.pushbase.comet.cluster;

import static io.pushbase.comet.cluster.ZooKeeperTesting.PATHS;
import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.grpc.Context;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.stub.StreamObserver;
import io.pushbase.cluster.CuratorLifecycle;
import io.pushbase.cluster.NodeRegistration;
import io.pushbase.cluster.discovery.LiveNodes;
import io.pushbase.cluster.grpc.GrpcTransport;
import io.pushbase.comet.testing.Eventually;
import io.pushbase.schema.ZkPaths;
import io.pushbase.schema.comet.v1.CometServiceGrpc;
import io.pushbase.schema.comet.v1.DeliverRoomReply;
import io.pushbase.schema.comet.v1.DeliverRoomRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PeerComets} against a real peer: a gRPC server registered in a real ZooKeeper's discovery
 * as another comet, answering {@code DeliverRoom} when the test says so.
 */
class PeerCometsTest {
    /** A DeliverRoom call the peer received and has not answered yet. */
    private record Received(DeliverRoomRequest request, StreamObserver<DeliverRoomReply> answer) {}

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final MetricRegistry metrics = new MetricRegistry();
    private TestingServer zk;
    private PeerComets peers;

    @BeforeEach
    void startAPeerAndItsOwner() throws Exception {
        zk = ZooKeeperTesting.zooKeeper();
        Server peer =
                ServerBuilder.forPort(0)
                        .addService(
                                new CometServiceGrpc.CometServiceImplBase() {
                                    @Override
                                    public void deliverRoom(
                                            DeliverRoomRequest request,
                                            StreamObserver<DeliverRoomReply> answer) {
                                        received.add(new Received(request, answer));
                                    }
                                })
                        .build()
                        .start();
        started.push(() -> peer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));

        CuratorLifecycle peerSession = ZooKeeperTesting.curator(zk);
        started.push(peerSession::stop);
        NodeRegistration registration =
                new NodeRegistration(
                        peerSession.client(),
                        PATHS.discovery(),
                        ZkPaths.SERVICE_COMET,
                        "127.0.0.1",
                        peer.getPort(),
                        ZooKeeperTesting.details("comet-2", 1, peer.getPort()));
        registration.start();
        started.push(registration::stop);

        CuratorLifecycle ownerSession = ZooKeeperTesting.curator(zk);
        started.push(ownerSession::stop);
        LiveNodes comets =
                new LiveNodes(
                        ownerSession.client(), PATHS.discovery(), ZkPaths.SERVICE_COMET, 10_000);
        comets.start();
        started.push(comets::stop);
        peers = new PeerComets(comets, "comet-1", GrpcTransport.network(), 5_000, 10, metrics);
        peers.start();
        started.push(peers::stop);
        Eventually.await(
                "the peer in discovery", Duration.ofSeconds(15), () -> !peers.peers().isEmpty());
    }

    @AfterEach
    void stopEverything() throws Exception {
        while (!started.isEmpty()) {
            started.pop().close(); // reverse order of start
        }
        zk.close();
    }

    /**
     * The room's owner sends a message from inside the gRPC call that pushed it and answers that
     * call without waiting for its peers; the call's context is cancelled then. The DeliverRoom
     * call it started must go on (a CI run lost a room's first message to this: the idle chain
     * started the call on the PushRoom call's thread, in its context).
     */
    @Test
    void aSendFromInsideACallThatThenEndsStillReachesThePeer() throws Exception {
        Context.CancellableContext pushRoomCall = Context.current().withCancellation();
        int queued =
                pushRoomCall.call(
                        () ->
                                peers.send(
                                        "lobby",
                                        7,
                                        "{\"n\":1}".getBytes(StandardCharsets.UTF_8),
                                        0));
        assertThat(queued).isEqualTo(1);
        Received call = received.poll(15, TimeUnit.SECONDS);
        assertThat(call).as("the peer got the DeliverRoom call").isNotNull();
        assertThat(call.request().getRoom()).isEqualTo("lobby");
        assertThat(call.request().getMid()).isEqualTo(7);
        assertThat(call.request().getSender()).isEqualTo("comet-1");

        pushRoomCall.cancel(null); // the PushRoom call answered

        call.answer().onNext(DeliverRoomReply.newBuilder().setDelivered(1).build());
        call.answer().onCompleted();
        Eventually.await(
                "the call answered or failed",
                Duration.ofSeconds(15),
                () ->
                        metrics.meter("comet.rooms.peer.sent").getCount()
                                        + metrics.meter("comet.rooms.peer.failed").getCount()
                                > 0);
        assertThat(metrics.meter("comet.rooms.peer.failed").getCount()).isZero();
        assertThat(metrics.meter("comet.rooms.peer.sent").getCount()).isEqualTo(1);
    }
}
