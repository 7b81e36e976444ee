package io.pushbase.comet.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.codahale.metrics.Counter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pushbase.comet.codec.TcpMessageEncoder;
import io.pushbase.comet.subscription.Subscriber.Delivery;
import io.pushbase.comet.testing.StallingOutbound;
import io.pushbase.comet.testing.Wire;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ChannelSubscriberTest {
    private static final byte[] PAYLOAD = "{\"n\":1}".getBytes(StandardCharsets.UTF_8);
    private static final Subscription OLD = new Subscription("k", 30, "", "");
    private static final Subscription NEW = new Subscription("k", 30, "", "2");

    private final Counter slowConsumers = new Counter();
    private final StallingOutbound socket = new StallingOutbound();

    @Test
    void deliversInTheClientsFormatAndOrder() {
        EmbeddedChannel channel = new EmbeddedChannel(new TcpMessageEncoder());
        ChannelSubscriber subscriber = new ChannelSubscriber(channel, NEW, 120, slowConsumers);

        assertThat(subscriber.deliver(1, PAYLOAD)).isEqualTo(Delivery.QUEUED);
        assertThat(subscriber.deliver(2, "[2]".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(Delivery.QUEUED);

        assertThat(Wire.outbound(channel))
                .isEqualTo(
                        "$31\r\n{\"msg\":{\"n\":1},\"mid\":1,\"gid\":0}\r\n"
                                + "$27\r\n{\"msg\":[2],\"mid\":2,\"gid\":0}\r\n");
        assertThat(subscriber.pending()).isZero();
        assertFalse(channel.finish());
    }

    @Test
    void aConsumerTooSlowForTheBoundIsClosedAndCounted() {
        EmbeddedChannel channel = new EmbeddedChannel(socket, new TcpMessageEncoder());
        ChannelSubscriber subscriber = new ChannelSubscriber(channel, OLD, 120, slowConsumers);

        for (int mid = 1; mid <= 120; mid++) {
            assertThat(subscriber.deliver(mid, PAYLOAD)).isEqualTo(Delivery.QUEUED);
        }
        assertThat(subscriber.pending()).isEqualTo(120);
        assertThat(channel.isOpen()).isTrue();

        assertThat(subscriber.deliver(121, PAYLOAD)).isEqualTo(Delivery.OVERFLOW);

        assertThat(channel.isOpen()).isFalse();
        assertThat(subscriber.isOpen()).isFalse();
        assertThat(subscriber.closeFuture().toCompletableFuture()).isCompleted();
        assertThat(slowConsumers.getCount()).isEqualTo(1);
        // Never queued past the bound, and counted once however often it is retried.
        assertThat(socket.held()).isEqualTo(120);
        assertThat(subscriber.deliver(122, PAYLOAD)).isEqualTo(Delivery.CLOSED);
        assertThat(slowConsumers.getCount()).isEqualTo(1);
        socket.discard();
        assertThat(subscriber.pending()).isZero();
        assertFalse(channel.finish());
    }

    @Test
    void messagesWrittenToTheSocketFreeTheirSlots() {
        EmbeddedChannel channel = new EmbeddedChannel(socket, new TcpMessageEncoder());
        ChannelSubscriber subscriber = new ChannelSubscriber(channel, OLD, 3, slowConsumers);

        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 3; i++) {
                assertThat(subscriber.deliver(round * 3 + i + 1, PAYLOAD))
                        .isEqualTo(Delivery.QUEUED);
            }
            socket.drain();
            assertThat(subscriber.pending()).isZero();
        }

        assertThat(channel.isOpen()).isTrue();
        assertThat(slowConsumers.getCount()).isZero();
        assertThat(Wire.outbound(channel)).contains("\"mid\":15,");
        assertFalse(channel.finish());
    }

    @Test
    void deliveringToAClosedConnectionSaysSo() {
        EmbeddedChannel channel = new EmbeddedChannel(new TcpMessageEncoder());
        ChannelSubscriber subscriber = new ChannelSubscriber(channel, OLD, 120, slowConsumers);

        subscriber.close();
        subscriber.close();

        assertThat(subscriber.isOpen()).isFalse();
        assertThat(subscriber.closeFuture().toCompletableFuture()).isCompleted();
        assertThat(subscriber.deliver(1, PAYLOAD)).isEqualTo(Delivery.CLOSED);
        assertThat(slowConsumers.getCount()).isZero();
        assertFalse(channel.finish());
    }

    @Test
    void anEmptyPayloadIsAProgrammingError() {
        EmbeddedChannel channel = new EmbeddedChannel(new TcpMessageEncoder());
        ChannelSubscriber subscriber = new ChannelSubscriber(channel, OLD, 120, slowConsumers);

        assertThatThrownBy(() -> subscriber.deliver(1, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);

        assertFalse(channel.finish());
    }

    @Test
    void theCloseFutureCannotBeCompletedByACaller() {
        EmbeddedChannel channel = new EmbeddedChannel(new TcpMessageEncoder());
        ChannelSubscriber subscriber = new ChannelSubscriber(channel, OLD, 120, slowConsumers);

        subscriber.closeFuture().toCompletableFuture().complete(null);

        assertThat(channel.isOpen()).isTrue();
        assertThat(subscriber.isOpen()).isTrue();
        assertFalse(channel.finish());
    }
}
