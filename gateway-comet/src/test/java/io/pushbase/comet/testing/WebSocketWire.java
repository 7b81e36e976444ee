package io.pushbase.comet.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A WebSocket client's bytes, written by hand from RFC 6455 so the tests check the wire rather than
 * Netty against itself.
 */
public final class WebSocketWire {
    /** RFC 6455's sample key and the accept value it must produce. */
    public static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    public static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xa;

    private WebSocketWire() {}

    /** A version 13 upgrade request; {@code origin} may be null (no header). */
    public static ByteBuf upgrade(String uri, String origin) {
        StringBuilder request =
                new StringBuilder()
                        .append("GET ")
                        .append(uri)
                        .append(" HTTP/1.1\r\n")
                        .append("Host: comet.example:6968\r\n")
                        .append("Upgrade: websocket\r\n")
                        .append("Connection: Upgrade\r\n")
                        .append("Sec-WebSocket-Key: ")
                        .append(KEY)
                        .append("\r\n")
                        .append("Sec-WebSocket-Version: 13\r\n");
        if (origin != null) {
            request.append("Origin: ").append(origin).append("\r\n");
        }
        request.append("\r\n");
        return Unpooled.copiedBuffer(request, StandardCharsets.US_ASCII);
    }

    /** One masked client frame (FIN set) with a payload under 126 bytes. */
    public static ByteBuf clientFrame(int opcode, byte[] payload) {
        if (payload.length >= 126) {
            throw new IllegalArgumentException("short frames only");
        }
        byte[] mask = {0x37, (byte) 0xfa, 0x21, 0x3d};
        ByteBuf frame = Unpooled.buffer(6 + payload.length);
        frame.writeByte(0x80 | opcode);
        frame.writeByte(0x80 | payload.length);
        frame.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.writeByte(payload[i] ^ mask[i % 4]);
        }
        return frame;
    }

    public static ByteBuf clientText(String text) {
        return clientFrame(TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** One server frame as it was on the wire. */
    public record Frame(boolean fin, int opcode, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "Frame{fin=" + fin + ", opcode=" + opcode + ", " + text() + "}";
        }
    }

    /** What the server sent: its HTTP response head and the frames after it. */
    public record Response(String head, List<Frame> frames) {
        public int status() {
            return Integer.parseInt(head.substring(9, 12));
        }

        public List<String> texts() {
            List<String> texts = new ArrayList<>();
            for (Frame frame : frames) {
                if (frame.opcode() != TEXT || !frame.fin()) {
                    throw new AssertionError("not a final text frame: " + frame);
                }
                texts.add(frame.text());
            }
            return texts;
        }
    }

    /** Splits server output (starting with the handshake response) into head and frames. */
    public static Response parseResponse(byte[] wire) {
        String text = new String(wire, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            throw new AssertionError("no complete HTTP response in: " + text);
        }
        return new Response(
                text.substring(0, end + 2),
                parseFrames(Arrays.copyOfRange(wire, end + 4, wire.length)));
    }

    /** Unmasked server frames, back to back. */
    public static List<Frame> parseFrames(byte[] wire) {
        List<Frame> frames = new ArrayList<>();
        int i = 0;
        while (i < wire.length) {
            int b0 = wire[i] & 0xff;
            int b1 = wire[i + 1] & 0xff;
            if ((b1 & 0x80) != 0) {
                throw new AssertionError("a server frame must not be masked");
            }
            int length = b1 & 0x7f;
            i += 2;
            if (length == 126) {
                length = ((wire[i] & 0xff) << 8) | (wire[i + 1] & 0xff);
                i += 2;
            } else if (length == 127) {
                throw new AssertionError("unexpectedly long frame");
            }
            frames.add(
                    new Frame(
                            (b0 & 0x80) != 0, b0 & 0x0f, Arrays.copyOfRange(wire, i, i + length)));
            i += length;
        }
        return frames;
    }
}
