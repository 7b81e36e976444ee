package io.pushbase.comet.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pushbase.comet.message.PushMessage;
import io.pushbase.comet.testing.Wire;
import io.pushbase.schema.client.MessageFormat;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TcpMessageEncoderTest {
    private static final byte[] TEST_1 = "{\"test\":1}".getBytes(StandardCharsets.UTF_8);

    @Test
    void framesTheOldFormatReferenceMessage() {
        EmbeddedChannel channel = new EmbeddedChannel(new TcpMessageEncoder());

        channel.writeOutbound(new PushMessage(17952546363411610L, TEST_1, MessageFormat.OLD));

        assertThat(Wire.outbound(channel))
                .isEqualTo(
                        "$54\r\n{\"msg\":\"{\\\"test\\\":1}\",\"mid\":17952546363411610,\"gid\":0}\r\n");
        assertFalse(channel.finish());
    }

    @Test
    void framesTheNewFormatReferenceMessage() {
        EmbeddedChannel channel = new EmbeddedChannel(new TcpMessageEncoder());

        channel.writeOutbound(new PushMessage(17952546403772882L, TEST_1, MessageFormat.NEW));

        assertThat(Wire.outbound(channel))
                .isEqualTo("$50\r\n{\"msg\":{\"test\":1},\"mid\":17952546403772882,\"gid\":0}\r\n");
        assertFalse(channel.finish());
    }

    @Test
    void theLengthCountsBytesNotCharacters() {
        EmbeddedChannel channel = new EmbeddedChannel(new TcpMessageEncoder());
        byte[] payload = "\"é\"".getBytes(StandardCharsets.UTF_8);

        channel.writeOutbound(new PushMessage(1, payload, MessageFormat.NEW));

        // {"msg":"é","mid":1,"gid":0} is 27 characters and 28 bytes.
        assertThat(Wire.outbound(channel))
                .isEqualTo("$28\r\n{\"msg\":\"é\",\"mid\":1,\"gid\":0}\r\n");
        assertFalse(channel.finish());
    }

    @Test
    void passesRepliesThroughUntouched() {
        EmbeddedChannel channel = new EmbeddedChannel(new TcpMessageEncoder());

        channel.writeOutbound(Reply.HEARTBEAT.buffer(ByteBufAllocator.DEFAULT));

        assertThat(Wire.outbound(channel)).isEqualTo("+h\r\n");
        assertFalse(channel.finish());
    }
}
