package io.pushbase.localhbase;

import java.io.IOException;

/** The ZooKeeper client port asked for is taken; nothing was started. */
public final class PortInUseException extends IOException {
    private static final long serialVersionUID = 1L;

    public PortInUseException(String message) {
        super(message);
    }
}
