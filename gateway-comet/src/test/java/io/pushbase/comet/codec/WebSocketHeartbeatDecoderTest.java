package io.pushbase.comet.codec;

import static io.pushbase.comet.testing.Wire.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A subscribed WebSocket client's frames: the heartbeat, one RESP request per frame (the TCP form,
 * its acks and room commands) and the word commands (docs/PROTOCOL.md "Rooms").
 */
class WebSocketHeartbeatDecoderTest {

    private static Object decode(WebSocketFrame frame) {
        EmbeddedChannel channel = new EmbeddedChannel(new WebSocketHeartbeatDecoder());
        channel.writeInbound(frame);
        Object decoded = channel.readInbound();
        assertThat((Object) channel.readInbound()).isNull();
        return decoded;
    }

    @Test
    void aFrameHoldingExactlyOneRequestIsThatRequest() {
        assertThat(decode(new TextWebSocketFrame(request("join", "lobby", "7"))))
                .isEqualTo(RespRequest.of("join", "lobby", "7"));
        assertThat(decode(new TextWebSocketFrame(request("ack", "k", "phone", "5"))))
                .isEqualTo(RespRequest.of("ack", "k", "phone", "5"));
    }

    @Test
    void wordsAreACommand() {
        assertThat(decode(new TextWebSocketFrame("join a"))).isEqualTo(RespRequest.of("join", "a"));
        assertThat(decode(new TextWebSocketFrame("leave lobby")))
                .isEqualTo(RespRequest.of("leave", "lobby"));
        assertThat(decode(new TextWebSocketFrame("h"))).isSameAs(Heartbeat.INSTANCE);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                // a request followed by more bytes, two requests, an incomplete one
                "*2\r\n$4\r\njoin\r\n$1\r\na\r\nh",
                "*2\r\n$4\r\njoin\r\n$1\r\na\r\n*2\r\n$4\r\njoin\r\n$1\r\nb\r\n",
                "*2\r\n$4\r\njoin\r\n",
                // words that are not a command
                "Join a",
                "join  a",
                "join a b c d",
                ""
            })
    void anythingElseClosesTheConnection(String text) {
        EmbeddedChannel channel = new EmbeddedChannel(new WebSocketHeartbeatDecoder());
        assertThatThrownBy(() -> channel.writeInbound(new TextWebSocketFrame(text)))
                .isInstanceOf(RespDecoderException.class);
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void aBinaryFrameClosesTheConnection() {
        EmbeddedChannel channel = new EmbeddedChannel(new WebSocketHeartbeatDecoder());
        assertThatThrownBy(
                        () ->
                                channel.writeInbound(
                                        new BinaryWebSocketFrame(
                                                io.pushbase.comet.testing.Wire.bytes("h"))))
                .isInstanceOf(RespDecoderException.class);
    }
}
