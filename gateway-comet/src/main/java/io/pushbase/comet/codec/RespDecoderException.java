package io.pushbase.comet.codec;

import io.netty.handler.codec.DecoderException;

/**
 * A client broke the comet's TCP framing: a malformed or over-limit RESP request, or a byte other
 * than {@code h} where a heartbeat is expected. The connection is closed without a reply
 * (docs/PROTOCOL.md section 5); the message says what was wrong, for the log only.
 */
public final class RespDecoderException extends DecoderException {
    private static final long serialVersionUID = 1L;

    public RespDecoderException(String message) {
        super(message);
    }
}
