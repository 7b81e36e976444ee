package io.pushbase.store.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.pushbase.schema.message.v1.AppendManyReply;
import io.pushbase.schema.message.v1.AppendManyRequest;
import io.pushbase.schema.message.v1.AppendOutcome;
import io.pushbase.schema.message.v1.AppendRequest;
import io.pushbase.schema.message.v1.DeleteRequest;
import io.pushbase.schema.message.v1.FetchRequest;
import io.pushbase.schema.message.v1.LastRequest;
import io.pushbase.schema.message.v1.MessageServiceGrpc;
import io.pushbase.schema.message.v1.MessageServiceGrpc.MessageServiceBlockingStub;
import io.pushbase.store.LogSpace;
import io.pushbase.store.StoreLimits;
import io.pushbase.store.memory.InMemoryMessageStore;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * (Issue 14) The message node's gRPC service routes a request naming a room to the rooms' store and
 * one naming a key to the keys' (two logs, two heads, even of one name), answers a mixed {@code
 * AppendMany} entry by entry in order, refuses a request naming both, and a node without room logs
 * answers {@code UNIMPLEMENTED} (an {@code AppendMany} entry: {@code INVALID_ARGUMENT}).
 */
class MessageStoreServiceRoomsTest {
    private static final StoreLimits LIMITS = StoreLimits.defaults(3600);
    private final List<Server> servers = new java.util.ArrayList<>();
    private final List<ManagedChannel> channels = new java.util.ArrayList<>();

    private MessageServiceBlockingStub node(boolean withRooms) throws Exception {
        String name = "rooms-" + UUID.randomUUID();
        MessageStoreService service =
                new MessageStoreService(
                        new InMemoryMessageStore(LIMITS),
                        withRooms
                                ? new InMemoryMessageStore(
                                        LIMITS, System::currentTimeMillis, LogSpace.ROOMS)
                                : null,
                        null,
                        name,
                        new io.pushbase.cluster.health.NodeHealth(
                                new com.codahale.metrics.health.HealthCheckRegistry()));
        servers.add(
                InProcessServerBuilder.forName(name)
                        .directExecutor()
                        .addService(service)
                        .build()
                        .start());
        ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        channels.add(channel);
        return MessageServiceGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void stop() {
        channels.forEach(ManagedChannel::shutdownNow);
        servers.forEach(Server::shutdownNow);
    }

    private static AppendRequest append(String key, String room, long mid, String payload) {
        return AppendRequest.newBuilder()
                .setKey(key)
                .setRoom(room)
                .setMid(mid)
                .setPayload(ByteString.copyFromUtf8(payload))
                .setExpireSeconds(600)
                .setClaim(ByteString.copyFromUtf8("c" + mid))
                .build();
    }

    @Test
    void aRoomAndAKeyOfOneNameAreTwoLogs() throws Exception {
        MessageServiceBlockingStub node = node(true);
        assertThat(node.append(append("", "lobby", 10, "room")).getAppended()).isTrue();
        // The key's head is its own: a mid below the room's is taken.
        assertThat(node.append(append("lobby", "", 5, "key")).getAppended()).isTrue();
        assertThat(node.fetch(FetchRequest.newBuilder().setRoom("lobby").build()).getMessagesList())
                .extracting(m -> m.getPayload().toStringUtf8())
                .containsExactly("room");
        assertThat(node.fetch(FetchRequest.newBuilder().setKey("lobby").build()).getMessagesList())
                .extracting(m -> m.getPayload().toStringUtf8())
                .containsExactly("key");
        assertThat(node.last(LastRequest.newBuilder().setRoom("lobby").build()).getMid())
                .isEqualTo(10);
        node.delete(DeleteRequest.newBuilder().setRoom("lobby").build());
        assertThat(
                        node.fetch(FetchRequest.newBuilder().setRoom("lobby").build())
                                .getMessagesCount())
                .isZero();
        assertThat(node.fetch(FetchRequest.newBuilder().setKey("lobby").build()).getMessagesCount())
                .isEqualTo(1);
    }

    @Test
    void aMixedAppendManyIsAnsweredEntryByEntryInOrder() throws Exception {
        MessageServiceBlockingStub node = node(true);
        AppendManyReply reply =
                node.appendMany(
                        AppendManyRequest.newBuilder()
                                .addEntries(append("k", "", 20, "key"))
                                .addEntries(append("", "r", 30, "room"))
                                .addEntries(append("k", "r", 40, "both"))
                                .addEntries(append("", "a b", 50, "bad room"))
                                .addEntries(append("", "r", 29, "behind"))
                                .build());
        assertThat(reply.getOutcomesList())
                .extracting(AppendOutcome::getStatus)
                .containsExactly(
                        AppendOutcome.Status.APPENDED,
                        AppendOutcome.Status.APPENDED,
                        AppendOutcome.Status.INVALID_ARGUMENT,
                        AppendOutcome.Status.INVALID_ARGUMENT,
                        AppendOutcome.Status.REFUSED);
        assertThat(reply.getOutcomes(2).getDescription()).contains("a key or a room, not both");
        assertThat(reply.getOutcomes(3).getDescription()).contains("room has a character");
        assertThat(reply.getOutcomes(4).getHead()).isEqualTo(30);
    }

    @Test
    void aRequestNamingBothOrANodeWithoutRoomsIsRefused() throws Exception {
        MessageServiceBlockingStub node = node(true);
        assertThatThrownBy(() -> node.append(append("k", "r", 1, "x")))
                .isInstanceOf(StatusRuntimeException.class)
                .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode())
                .isEqualTo(Status.Code.INVALID_ARGUMENT);

        MessageServiceBlockingStub old = node(false);
        assertThatThrownBy(() -> old.fetch(FetchRequest.newBuilder().setRoom("r").build()))
                .isInstanceOf(StatusRuntimeException.class)
                .extracting(e -> ((StatusRuntimeException) e).getStatus().getCode())
                .isEqualTo(Status.Code.UNIMPLEMENTED);
        assertThat(
                        old.appendMany(
                                        AppendManyRequest.newBuilder()
                                                .addEntries(append("k", "", 1, "key"))
                                                .addEntries(append("", "r", 2, "room"))
                                                .build())
                                .getOutcomesList())
                .extracting(AppendOutcome::getStatus)
                .containsExactly(
                        AppendOutcome.Status.APPENDED, AppendOutcome.Status.INVALID_ARGUMENT);
    }
}
