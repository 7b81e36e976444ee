package io.pushbase.comet.ack;

/**
 * One connection's ack rate bound: a token bucket of {@code perSecond} tokens, refilled at that
 * rate, one token per ack. A connection that finds it empty acks faster than allowed and is closed
 * (docs/PROTOCOL.md "Acknowledgements"). One instance per connection; event loop only.
 */
public final class AckRate {
    private final int perSecond;
    private double tokens;
    private long lastNanos;

    public AckRate(int perSecond, long nowNanos) {
        if (perSecond < 1) {
            throw new IllegalArgumentException("perSecond must be positive: " + perSecond);
        }
        this.perSecond = perSecond;
        this.tokens = perSecond;
        this.lastNanos = nowNanos;
    }

    /** Takes one token at {@code nowNanos}; false when there is none. */
    public boolean take(long nowNanos) {
        tokens = Math.min(perSecond, tokens + (nowNanos - lastNanos) * perSecond / 1e9);
        lastNanos = nowNanos;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }

    public int perSecond() {
        return perSecond;
    }
}
