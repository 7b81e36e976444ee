package io.pushbase.web.reply;

/**
 * How a family of routes answers (docs/PROTOCOL.md sections 1 and 2): which query parameter names
 * the JSONP callback, and whether every answer carries {@code "msg":"ok"}.
 */
public enum Dialect {
    /** {@code /1/...} and {@code /2/...}: JSONP via {@code cb}. */
    VERSIONED("cb", false),
    /** {@code /server/get}, {@code /msg/get}, {@code /time/get}: JSONP via {@code callback}. */
    UNVERSIONED("callback", true),
    /** The admin API: plain JSON only. */
    ADMIN(null, false);

    private final String callbackParameter;
    private final boolean msgOk;

    Dialect(String callbackParameter, boolean msgOk) {
        this.callbackParameter = callbackParameter;
        this.msgOk = msgOk;
    }

    /** The query parameter naming the JSONP callback, or null when JSONP is not offered. */
    public String callbackParameter() {
        return callbackParameter;
    }

    public boolean msgOk() {
        return msgOk;
    }
}
