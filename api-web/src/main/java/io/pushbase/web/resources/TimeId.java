package io.pushbase.web.resources;

import io.pushbase.schema.client.MidClock;
import io.pushbase.web.reply.Answer;
import io.pushbase.web.reply.Data;

/**
 * The time id (docs/PROTOCOL.md section 1, {@code /1/time/get} and {@code /time/get}): now as a
 * message id, 100 ns units since the epoch, the magnitude every mid has (docs/MIDS.md). A client
 * with no history pulls from it.
 *
 * <p>Served by {@link ClientRoutes}. Thread-safe; answers at once.
 */
final class TimeId {
    private final MidClock clock;

    TimeId(MidClock clock) {
        this.clock = clock;
    }

    Answer now() {
        return Answer.ok(Data.timeId(clock.now()));
    }
}
