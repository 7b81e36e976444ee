package io.pushbase.comet.room;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.pushbase.comet.codec.Framing;
import io.pushbase.schema.client.MessageFormat;
import io.pushbase.schema.client.MessageJson;

/**
 * (Pushbase, issue 14) One room message on its way to every member on this comet: its frames, each
 * built once — per transport framing ({@link Framing}) and message format, only those its members
 * need — and shared by every member of that framing and format ({@link Framing#outbound}: a
 * retained duplicate per member, no copy of the payload per member).
 *
 * <p>Ownership: holds one reference to each frame it built, released by {@link #release} once the
 * last event loop is done with the message; each member's write holds its own duplicate, released
 * by Netty once written. Thread-safe: frames are built under this object's monitor (members on
 * different event loops may ask at once).
 */
final class FramedMessage {
    private final String room;
    private final long mid;
    private final byte[] payload;
    private final ByteBufAllocator alloc;
    private final byte[][] json = new byte[MessageFormat.values().length][];
    private final ByteBuf[][] frames =
            new ByteBuf[Framing.values().length][MessageFormat.values().length];
    private boolean released; // guarded by this

    FramedMessage(String room, long mid, byte[] payload, ByteBufAllocator alloc) {
        this.room = room;
        this.mid = mid;
        this.payload = payload;
        this.alloc = alloc;
    }

    /** The shared frame for {@code framing} and {@code format}, built on first use. */
    synchronized ByteBuf frame(Framing framing, MessageFormat format) {
        if (released) {
            throw new IllegalStateException("frames of mid " + mid + " already released");
        }
        ByteBuf frame = frames[framing.ordinal()][format.ordinal()];
        if (frame == null) {
            byte[] text = json[format.ordinal()];
            if (text == null) {
                text = MessageJson.renderRoom(mid, payload, format, room);
                json[format.ordinal()] = text;
            }
            frame = framing.roomMessage(alloc, text);
            frames[framing.ordinal()][format.ordinal()] = frame;
        }
        return frame;
    }

    /** Frames built so far (for tests of the fan-out: one per framing and format used). */
    synchronized int built() {
        int n = 0;
        for (ByteBuf[] row : frames) {
            for (ByteBuf f : row) {
                if (f != null) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Gives back this message's reference to every frame. Idempotent. */
    synchronized void release() {
        if (released) {
            return;
        }
        released = true;
        for (ByteBuf[] row : frames) {
            for (ByteBuf f : row) {
                if (f != null) {
                    f.release();
                }
            }
        }
    }
}
