package io.pushbase.comet.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ReplyTest {

    @Test
    void repliesAreTheProtocolsBytes() {
        assertThat(bytesOf(Reply.HEARTBEAT)).isEqualTo("+h\r\n");
        assertThat(bytesOf(Reply.PARAM)).isEqualTo("-p\r\n");
        assertThat(bytesOf(Reply.AUTH)).isEqualTo("-a\r\n");
        assertThat(bytesOf(Reply.CHANNEL)).isEqualTo("-c\r\n");
        assertThat(bytesOf(Reply.NODE)).isEqualTo("-n\r\n");
        // (Pushbase) The resume's completeness answer: simple strings, never "+h" nor "$len".
        assertThat(bytesOf(Reply.RESUME_COMPLETE)).isEqualTo("+r complete\r\n");
        assertThat(bytesOf(Reply.RESUME_TRUNCATED)).isEqualTo("+r truncated\r\n");
        for (Reply reply : Reply.values()) {
            assertThat(reply.text()).isEqualTo(bytesOf(reply));
        }
    }

    private static String bytesOf(Reply reply) {
        ByteBuf buf = reply.buffer(ByteBufAllocator.DEFAULT);
        try {
            return buf.toString(StandardCharsets.US_ASCII);
        } finally {
            buf.release();
        }
    }
}
