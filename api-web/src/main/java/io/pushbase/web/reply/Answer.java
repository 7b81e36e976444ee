package io.pushbase.web.reply;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * One answer of the HTTP API: a {@code ret} code, optional {@code data} (already rendered JSON),
 * and, for errors, the problem in words (sent in the {@value #PROBLEM_HEADER} header, never in the
 * body, which old clients must see unchanged).
 *
 * <p>The body is rendered as gopush-cluster's Go encoder rendered its answer map: keys in sorted
 * order, no spaces — {@code {"data":...,"msg":"ok","ret":0}} — {@code data} left out when empty or
 * when {@code ret != 0}, {@code "msg":"ok"} only on the unversioned routes (always, whatever the
 * {@code ret}).
 *
 * <p>Immutable and thread-safe; {@link #data} is not copied.
 */
public final class Answer {
    /** Response header naming the problem of an error answer (Pushbase). */
    public static final String PROBLEM_HEADER = "X-Pushbase-Error";

    private static final byte[] DATA = ascii("{\"data\":");
    private static final byte[] MSG_OK = ascii("\"msg\":\"ok\",");
    private static final byte[] RET = ascii("\"ret\":");

    private static final Answer OK = new Answer(Ret.OK, null, null);

    private final int ret;
    private final byte[] data;
    private final String problem;
    private final int retryAfterSeconds;

    private Answer(int ret, byte[] data, String problem) {
        this(ret, data, problem, 0);
    }

    private Answer(int ret, byte[] data, String problem, int retryAfterSeconds) {
        this.ret = ret;
        this.data = data;
        this.problem = problem;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** {@code ret 0} without data. */
    public static Answer ok() {
        return OK;
    }

    /** {@code ret 0} with {@code data}, a rendered JSON object; null or empty leaves it out. */
    public static Answer ok(byte[] data) {
        return data == null || data.length == 0 ? OK : new Answer(Ret.OK, data, null);
    }

    /** An error answer: {@code ret} (not 0) and the problem in words. */
    public static Answer error(int ret, String problem) {
        if (ret == Ret.OK) {
            throw new IllegalArgumentException("an error answer needs a ret other than 0");
        }
        return new Answer(ret, null, problem);
    }

    /**
     * The node is overloaded (Pushbase): {@code ret 65535}, sent with HTTP status 503 and {@code
     * Retry-After: retryAfterSeconds}; nothing was stored or delivered.
     */
    public static Answer overloaded(String problem, int retryAfterSeconds) {
        if (retryAfterSeconds < 1) {
            throw new IllegalArgumentException("retryAfterSeconds must be at least 1");
        }
        return new Answer(Ret.INTERNAL, null, problem, retryAfterSeconds);
    }

    public int ret() {
        return ret;
    }

    /** Seconds a client should wait before retrying (an overloaded answer), else 0. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** The problem in words, or null for a successful answer. */
    public String problem() {
        return problem;
    }

    /** The JSON body; {@code withMsgOk} for the unversioned routes. */
    public byte[] render(boolean withMsgOk) {
        ByteBuf out = Unpooled.buffer(32 + (data == null ? 0 : data.length));
        if (data != null) {
            out.writeBytes(DATA).writeBytes(data).writeByte(',');
        } else {
            out.writeByte('{');
        }
        if (withMsgOk) {
            out.writeBytes(MSG_OK);
        }
        out.writeBytes(RET).writeCharSequence(Integer.toString(ret), StandardCharsets.US_ASCII);
        out.writeByte('}');
        byte[] json = new byte[out.readableBytes()];
        out.readBytes(json);
        return json;
    }

    @Override
    public String toString() {
        return problem == null ? "ret " + ret : "ret " + ret + " (" + problem + ")";
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
