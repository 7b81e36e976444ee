package io.pushbase.comet.codec;

import static io.pushbase.comet.testing.Wire.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HeartbeatDecoderTest {

    @Test
    void eachHIsOneHeartbeat() {
        EmbeddedChannel channel = new EmbeddedChannel(new HeartbeatDecoder());

        channel.writeInbound(bytes("h"));
        channel.writeInbound(bytes("hh"));

        assertThat(channel.inboundMessages())
                .containsExactly(Heartbeat.INSTANCE, Heartbeat.INSTANCE, Heartbeat.INSTANCE);
        channel.inboundMessages().clear();
        assertFalse(channel.finish());
    }

    @ParameterizedTest
    @ValueSource(strings = {"H", "x", "\r", "\n", " ", "*x", "*0\r\n", "\0"})
    void anyOtherByteIsAViolation(String input) {
        EmbeddedChannel channel = new EmbeddedChannel(new HeartbeatDecoder());

        assertThatThrownBy(() -> channel.writeInbound(bytes(input)))
                .isInstanceOf(RespDecoderException.class);

        assertFalse(channel.finish());
    }

    @Test
    void aStarStartsACommandEmittedWhenCompleteBetweenHeartbeats() {
        EmbeddedChannel channel = new EmbeddedChannel(new HeartbeatDecoder());
        String ack = "*4\r\n$3\r\nack\r\n$1\r\nk\r\n$5\r\nphone\r\n$2\r\n42\r\n";

        channel.writeInbound(bytes("h" + ack.substring(0, 20)));
        assertThat(channel.inboundMessages()).containsExactly(Heartbeat.INSTANCE);
        channel.inboundMessages().clear();
        channel.writeInbound(bytes(ack.substring(20) + "h" + ack));

        assertThat(channel.inboundMessages())
                .containsExactly(
                        RespRequest.of("ack", "k", "phone", "42"),
                        Heartbeat.INSTANCE,
                        RespRequest.of("ack", "k", "phone", "42"));
        channel.inboundMessages().clear();
        assertFalse(channel.finish());
    }

    @Test
    void heartbeatsBeforeABadByteCountAndNothingAfterIt() {
        EmbeddedChannel channel = new EmbeddedChannel(new HeartbeatDecoder());

        assertThatThrownBy(() -> channel.writeInbound(bytes("hxh")))
                .isInstanceOf(RespDecoderException.class)
                .hasMessageContaining("0x78");
        channel.writeInbound(bytes("hhh"));

        assertThat(channel.<Object>readInbound()).isEqualTo(Heartbeat.INSTANCE);
        assertFalse(channel.finish());
    }
}
