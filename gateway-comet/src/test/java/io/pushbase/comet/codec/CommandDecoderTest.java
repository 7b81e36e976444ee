package io.pushbase.comet.codec;

import static io.pushbase.comet.testing.Wire.bytes;
import static io.pushbase.comet.testing.Wire.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** (Pushbase, issue 14) A subscribed TCP client's heartbeats and commands. */
class CommandDecoderTest {

    private static List<Object> decode(String... chunks) {
        EmbeddedChannel channel = new EmbeddedChannel(new CommandDecoder());
        for (String chunk : chunks) {
            channel.writeInbound(bytes(chunk));
        }
        List<Object> out = new ArrayList<>();
        for (Object o; (o = channel.readInbound()) != null; ) {
            out.add(o);
        }
        return out;
    }

    @Test
    void heartbeatsAndCommandsInterleave() {
        assertThat(decode("h" + request("join", "lobby", "12") + "hh" + request("leave", "a")))
                .containsExactly(
                        Heartbeat.INSTANCE,
                        RespRequest.of("join", "lobby", "12"),
                        Heartbeat.INSTANCE,
                        Heartbeat.INSTANCE,
                        RespRequest.of("leave", "a"));
    }

    @Test
    void aCommandSplitAtEveryPositionDecodesTheSame() {
        String wire = request("join", "lobby") + "h";
        for (int split = 1; split < wire.length(); split++) {
            assertThat(decode(wire.substring(0, split), wire.substring(split)))
                    .as("split at %d", split)
                    .containsExactly(RespRequest.of("join", "lobby"), Heartbeat.INSTANCE);
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "x",
                "*0\r\n",
                "*5\r\n",
                "*1\r\n$257\r\n",
                "*1\r\n#3\r\n",
                "*1\r\n$3\r\njoinX",
                "*1\n",
                "*12345678901234567\r\n"
            })
    void anythingElseFails(String input) {
        EmbeddedChannel channel = new EmbeddedChannel(new CommandDecoder());
        assertThatThrownBy(() -> channel.writeInbound(bytes(input)))
                .isInstanceOf(DecoderException.class);
        // Input after the failure is discarded.
        channel.writeInbound(bytes("h"));
        assertThat((Object) channel.readInbound()).isNull();
    }
}
