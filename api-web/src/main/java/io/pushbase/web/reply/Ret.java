package io.pushbase.web.reply;

/**
 * The {@code ret} codes of docs/PROTOCOL.md sections 1 and 2: gopush-cluster's, plus Pushbase's
 * {@link #UNAUTHORISED}.
 */
public final class Ret {
    public static final int OK = 0;

    /** No comet node for this key. */
    public static final int NO_COMET = 1001;

    /** (Pushbase) a missing, invalid or expired token, or a wrong admin secret. */
    public static final int UNAUTHORISED = 1002;

    /** A parameter or the body is missing, malformed or over a bound. */
    public static final int PARAM = 65534;

    /** Something behind the web node failed (no message node answered, a comet refused). */
    public static final int INTERNAL = 65535;

    private Ret() {}
}
