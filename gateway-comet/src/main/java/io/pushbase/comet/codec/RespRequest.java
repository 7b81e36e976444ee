package io.pushbase.comet.codec;

import java.util.List;

/**
 * One decoded RESP request: its 1 to 5 bulk-string arguments, in order, decoded as UTF-8 (an
 * invalid sequence becomes U+FFFD). The first argument is the command ({@code sub}). Immutable; not
 * reference counted.
 */
public record RespRequest(List<String> args) {

    public RespRequest {
        args = List.copyOf(args);
        if (args.isEmpty() || args.size() > RespRequestDecoder.MAX_ARGS) {
            throw new IllegalArgumentException(
                    "a request has 1 to " + RespRequestDecoder.MAX_ARGS + " arguments");
        }
    }

    public static RespRequest of(String... args) {
        return new RespRequest(List.of(args));
    }

    /** The first argument. */
    public String command() {
        return args.get(0);
    }

    /** Argument {@code index}, or null when the request has fewer arguments. */
    public String arg(int index) {
        return index < args.size() ? args.get(index) : null;
    }
}
