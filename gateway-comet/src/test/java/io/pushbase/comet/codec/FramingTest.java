package io.pushbase.comet.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * (Pushbase, issue 14) The shared frames of the room fan-out and the room replies, per transport.
 */
class FramingTest {
    private static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    @Test
    void tcpFramesAMessageAsABulkString() {
        ByteBuf frame = Framing.TCP.roomMessage(ALLOC, "{\"a\":1}".getBytes());
        assertThat(frame.toString(StandardCharsets.UTF_8)).isEqualTo("$7\r\n{\"a\":1}\r\n");
        frame.release();
    }

    /** Payload lengths on each side of the WebSocket header's 7-bit and 16-bit length forms. */
    @ParameterizedTest
    @ValueSource(ints = {1, 125, 126, 65535, 65536, 70000})
    void webSocketFramesDecodeAsOneTextFrameWithTheJson(int length) {
        byte[] json = ("\"" + "x".repeat(length - 2 > 0 ? length - 2 : 0) + "\"").getBytes();
        if (length == 1) {
            json = "1".getBytes();
        }
        ByteBuf frame = Framing.WEBSOCKET.roomMessage(ALLOC, json);
        // A client's decoder (unmasked frames allowed, as a client reads a server's).
        EmbeddedChannel client =
                new EmbeddedChannel(new WebSocket13FrameDecoder(false, false, 1 << 20, true));
        client.writeInbound(frame);
        TextWebSocketFrame text = client.readInbound();
        assertThat(text.isFinalFragment()).isTrue();
        assertThat(text.text()).isEqualTo(new String(json, StandardCharsets.UTF_8));
        text.release();
        assertThat(client.finish()).isFalse();
    }

    @Test
    void aStreamGetsRoomEventsWithoutAnId() {
        ByteBuf frame = Framing.SSE.roomMessage(ALLOC, "{\"a\":\n1}".getBytes());
        assertThat(frame.toString(StandardCharsets.UTF_8))
                .isEqualTo("event: room\ndata: {\"a\":\ndata: 1}\n\n");
        Object out = Framing.SSE.outbound(frame);
        assertThat(out).isInstanceOf(DefaultHttpContent.class);
        ((DefaultHttpContent) out).release();
        assertThat(frame.refCnt()).isEqualTo(1);
        frame.release();
    }

    @Test
    void repliesAreLinesOnTcpTextFramesOnWebSocketAndEventsOnAStream() {
        ByteBuf tcp = (ByteBuf) Framing.TCP.reply(ALLOC, RoomReply.joined("lobby", true));
        assertThat(tcp.toString(StandardCharsets.US_ASCII)).isEqualTo("+j lobby complete\r\n");
        tcp.release();
        TextWebSocketFrame ws =
                (TextWebSocketFrame) Framing.WEBSOCKET.reply(ALLOC, RoomReply.left("lobby"));
        assertThat(ws.text()).isEqualTo("+l lobby\r\n");
        ws.release();
        DefaultHttpContent sse =
                (DefaultHttpContent) Framing.SSE.reply(ALLOC, RoomReply.joined("lobby"));
        assertThat(sse.content().toString(StandardCharsets.US_ASCII))
                .isEqualTo("event: join\ndata: lobby\n\n");
        sse.release();
        assertThatThrownBy(
                        () ->
                                Framing.SSE.reply(
                                        ALLOC, RoomReply.refused("x", RoomReply.Refusal.FULL)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusalsNameTheirRoomAndReason() {
        assertThat(RoomReply.refused(null, RoomReply.Refusal.NAME).text())
                .isEqualTo("-j * name\r\n");
        assertThat(RoomReply.refused("a", RoomReply.Refusal.FULL).refusal())
                .isEqualTo(RoomReply.Refusal.FULL);
        assertThat(RoomReply.joined("a").refusal()).isNull();
    }
}
