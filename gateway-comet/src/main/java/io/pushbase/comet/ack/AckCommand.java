package io.pushbase.comet.ack;

import io.pushbase.comet.codec.RespRequest;
import io.pushbase.schema.client.Devices;
import io.pushbase.schema.client.Keys;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The {@code ack} command of a subscribed connection (docs/PROTOCOL.md "Acknowledgements"): {@code
 * ack <key> <device> <mid>}, the key the connection subscribed (its exact bytes), a device id of
 * the device rule ({@code schema/client/Devices}), a mid of ASCII digits only (at most 19, within
 * int64, above 0). Parsed into an {@link AckCommand} or refused with an {@link Invalid} naming the
 * rule and the problem. Immutable; stateless parsing.
 *
 * @param key the connection's key
 * @param device the device id
 * @param mid the largest mid the device processed
 */
public record AckCommand(String key, String device, long mid) {
    /** The command's name, the request's first argument. */
    public static final String NAME = "ack";

    /** Which rule an ack broke (each has its metric). */
    public enum Rule {
        /** The argument count or the mid. */
        PARAM,
        /** Another key than the connection's. */
        KEY,
        /** The device id. */
        DEVICE
    }

    /** An ack the comet refuses; the problem is for the client's {@code -k} reply. */
    public static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;
        private final Rule rule;

        Invalid(Rule rule, String problem) {
            super(problem, null, false, false);
            this.rule = rule;
        }

        public Rule rule() {
            return rule;
        }
    }

    /**
     * Parses {@code request} (whose command is {@value #NAME}) for a connection subscribed to
     * {@code subscribedKey}.
     */
    public static AckCommand parse(RespRequest request, String subscribedKey) throws Invalid {
        if (request.args().size() != 4) {
            throw new Invalid(
                    Rule.PARAM,
                    "ack takes 3 arguments (key, device, mid), got " + (request.args().size() - 1));
        }
        byte[] key = request.bytes(1);
        if (!Arrays.equals(key, subscribedKey.getBytes(StandardCharsets.UTF_8))) {
            throw new Invalid(Rule.KEY, "ack for another key than this connection's");
        }
        String device = request.arg(2);
        String problem = Devices.problem(device);
        if (problem != null) {
            throw new Invalid(Rule.DEVICE, problem);
        }
        return new AckCommand(subscribedKey, device, mid(request.arg(3)));
    }

    /**
     * An ack over HTTP (no connection, so no subscribed key): {@code key} by the key rule on its
     * bytes, then the device and mid rules as above. Absent values are null.
     */
    public static AckCommand parse(byte[] key, String device, String mid) throws Invalid {
        String problem = Keys.problem(key);
        if (problem != null) {
            throw new Invalid(Rule.PARAM, problem);
        }
        problem = Devices.problem(device);
        if (problem != null) {
            throw new Invalid(Rule.DEVICE, problem);
        }
        return new AckCommand(
                new String(key, StandardCharsets.UTF_8), device, mid(mid == null ? "" : mid));
    }

    private static long mid(String text) throws Invalid {
        boolean digits = !text.isEmpty() && text.length() <= 19;
        for (int i = 0; digits && i < text.length(); i++) {
            digits = text.charAt(i) >= '0' && text.charAt(i) <= '9';
        }
        long mid = 0;
        if (digits) {
            try {
                mid = Long.parseLong(text);
            } catch (NumberFormatException e) {
                digits = false;
            }
        }
        if (!digits || mid <= 0) {
            throw new Invalid(
                    Rule.PARAM, "mid must be a decimal int64 above 0: \"" + printable(text) + "\"");
        }
        return mid;
    }

    /** At most 32 characters of {@code text}, anything but printable ASCII as '?'. */
    public static String printable(String text) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < text.length() && i < 32; i++) {
            char c = text.charAt(i);
            b.append(c >= 0x20 && c < 0x7f && c != '"' ? c : '?');
        }
        return text.length() > 32 ? b + "..." : b.toString();
    }
}
