package io.pushbase.comet.server;

/** YAML block {@code tcp:} of a comet: the RESP listener, port 6969 by default. */
public class TcpListenerConfiguration extends ListenerConfiguration {
    public static final int DEFAULT_PORT = 6969;

    public TcpListenerConfiguration() {
        super(DEFAULT_PORT);
    }
}
