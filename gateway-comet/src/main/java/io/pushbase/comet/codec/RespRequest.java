package io.pushbase.comet.codec;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One decoded RESP request: its 1 to {@value RespRequestDecoder#MAX_ARGS} bulk-string arguments, in
 * order, kept as the bytes that arrived. {@link #arg} and {@link #args} decode them as UTF-8 (an
 * invalid sequence becomes U+FFFD); {@link #bytes} gives the bytes themselves, for rules that must
 * see invalid UTF-8 (the key rule, {@code schema/client/Keys}). The first argument is the command
 * ({@code sub}). Immutable (every byte array is copied in and out); not reference counted.
 */
public final class RespRequest {
    private final List<byte[]> raw;

    /**
     * @param args the arguments' bytes, 1 to {@value RespRequestDecoder#MAX_ARGS} of them; copied
     */
    public RespRequest(List<byte[]> args) {
        if (args.isEmpty() || args.size() > RespRequestDecoder.MAX_ARGS) {
            throw new IllegalArgumentException(
                    "a request has 1 to " + RespRequestDecoder.MAX_ARGS + " arguments");
        }
        List<byte[]> copy = new ArrayList<>(args.size());
        for (byte[] arg : args) {
            copy.add(arg.clone());
        }
        this.raw = List.copyOf(copy);
    }

    /** A request of these arguments, encoded as UTF-8. */
    public static RespRequest of(String... args) {
        List<byte[]> bytes = new ArrayList<>(args.length);
        for (String arg : args) {
            bytes.add(arg.getBytes(StandardCharsets.UTF_8));
        }
        return new RespRequest(bytes);
    }

    /** The first argument. */
    public String command() {
        return arg(0);
    }

    /** Every argument decoded as UTF-8. */
    public List<String> args() {
        List<String> args = new ArrayList<>(raw.size());
        for (byte[] arg : raw) {
            args.add(new String(arg, StandardCharsets.UTF_8));
        }
        return args;
    }

    /** Argument {@code index} decoded as UTF-8, or null when the request has fewer arguments. */
    public String arg(int index) {
        return index < raw.size() ? new String(raw.get(index), StandardCharsets.UTF_8) : null;
    }

    /** A copy of argument {@code index}'s bytes, or null when the request has fewer arguments. */
    public byte[] bytes(int index) {
        return index < raw.size() ? raw.get(index).clone() : null;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RespRequest other) || other.raw.size() != raw.size()) {
            return false;
        }
        for (int i = 0; i < raw.size(); i++) {
            if (!Arrays.equals(raw.get(i), other.raw.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int hash = 1;
        for (byte[] arg : raw) {
            hash = 31 * hash + Arrays.hashCode(arg);
        }
        return hash;
    }

    @Override
    public String toString() {
        // The token (argument 3) is a credential: its length only.
        List<String> shown = args();
        if (shown.size() > 3) {
            shown.set(3, "<" + raw.get(3).length + " bytes>");
        }
        return "RespRequest" + shown;
    }
}
