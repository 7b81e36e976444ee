package io.pushbase.comet.handler;

import io.pushbase.comet.codec.Reply;
import io.pushbase.comet.subscription.Admission;

/** The error reply for each refusing {@link Admission}, one mapping for TCP and WebSocket. */
final class Refusals {
    private Refusals() {}

    static Reply replyFor(Admission admission) {
        return switch (admission) {
            case REJECT_AUTH -> Reply.AUTH;
            case REJECT_CHANNEL -> Reply.CHANNEL;
            case REJECT_NOT_OWNER -> Reply.NODE;
            case OK -> throw new IllegalArgumentException("OK is not a refusal");
        };
    }
}
