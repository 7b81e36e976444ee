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
    @ValueSource(strings = {"H", "x", "\r", "\n", " ", "*", "\0"})
    void anyOtherByteIsAViolation(String input) {
        EmbeddedChannel channel = new EmbeddedChannel(new HeartbeatDecoder());

        assertThatThrownBy(() -> channel.writeInbound(bytes(input)))
                .isInstanceOf(RespDecoderException.class);

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
