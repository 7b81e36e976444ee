package io.pushbase.comet.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * The comet's fixed replies (docs/PROTOCOL.md section 3), the same bytes on TCP and inside a
 * WebSocket text frame. After any error reply the comet closes the connection.
 */
public enum Reply {
    /** First reply after a successful {@code sub}, and the answer to every heartbeat. */
    HEARTBEAT("+h\r\n"),
    /** Bad parameters. */
    PARAM("-p\r\n"),
    /** Token rejected. */
    AUTH("-a\r\n"),
    /** Channel refused (e.g. too many subscribers on the key). */
    CHANNEL("-c\r\n"),
    /** The key does not belong to this comet. */
    NODE("-n\r\n"),
    /**
     * (Pushbase) A resume's completeness answer, after {@code +h} and before the first replayed
     * message, only to connections that sent {@code since}: every stored message after it follows.
     */
    RESUME_COMPLETE("+r complete\r\n"),
    /**
     * (Pushbase) A resume's completeness answer: messages after {@code since} may be gone (trimmed,
     * deleted, expired); the client should reload from its system of record. Then what is stored.
     */
    RESUME_TRUNCATED("+r truncated\r\n");

    private final String text;
    private final byte[] bytes;

    Reply(String text) {
        this.text = text;
        this.bytes = text.getBytes(StandardCharsets.US_ASCII);
    }

    /** The reply as text, CRLF included (a WebSocket text frame's payload). */
    public String text() {
        return text;
    }

    /** A new buffer holding the reply; the caller owns it (writing it hands it on). */
    public ByteBuf buffer(ByteBufAllocator alloc) {
        return alloc.buffer(bytes.length).writeBytes(bytes);
    }
}
