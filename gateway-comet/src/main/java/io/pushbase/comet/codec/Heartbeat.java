package io.pushbase.comet.codec;

/** One client heartbeat (the byte {@code h} on TCP, a text frame {@code h} on WebSocket). */
public enum Heartbeat {
    INSTANCE
}
