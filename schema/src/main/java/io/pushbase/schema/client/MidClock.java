package io.pushbase.schema.client;

import java.time.Clock;
import java.time.Instant;

/**
 * "Now" as a message id: 100 ns units since the Unix epoch, the magnitude gopush-cluster's {@code
 * /1/time/get} returns. Thread-safe.
 */
public final class MidClock {
    private final Clock clock;

    public MidClock(Clock clock) {
        this.clock = clock;
    }

    public static MidClock system() {
        return new MidClock(Clock.systemUTC());
    }

    public long now() {
        Instant t = clock.instant();
        return t.getEpochSecond() * 10_000_000L + t.getNano() / 100;
    }
}
