package io.pushbase.comet.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * (Pushbase) The reply to a refused acknowledgement (docs/PROTOCOL.md "Acknowledgements"): one RESP
 * error line {@code -k <problem>\r\n}, the same bytes on TCP and inside a WebSocket text frame. The
 * problem is printable ASCII (anything else becomes {@code ?}), at most {@value #MAX_PROBLEM}
 * characters. Unlike gopush-cluster's error replies it does not end the connection (except the one
 * that says the connection acked too fast, which the comet closes after it). Stateless.
 */
public final class AckRefusal {
    /** Longest problem text in a refusal. */
    public static final int MAX_PROBLEM = 300;

    private AckRefusal() {}

    /** The refusal's text, CRLF included. */
    public static String text(String problem) {
        StringBuilder b = new StringBuilder("-k ");
        String p = problem == null ? "refused" : problem;
        for (int i = 0; i < p.length() && i < MAX_PROBLEM; i++) {
            char c = p.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return b.append("\r\n").toString();
    }

    /** A new buffer holding the refusal; the caller owns it (writing it hands it on). */
    public static ByteBuf buffer(ByteBufAllocator alloc, String problem) {
        byte[] bytes = text(problem).getBytes(StandardCharsets.US_ASCII);
        return alloc.buffer(bytes.length).writeBytes(bytes);
    }
}
