package io.pushbase.comet.ack;

import io.pushbase.comet.subscription.Admission;

/**
 * Who may acknowledge over HTTP (Pushbase, docs/PROTOCOL.md "Acknowledgements"): the comet's token
 * and ownership rules for a key, as for a subscription ({@code CometGate#check}). A connection's
 * own acks need no gate: its subscription passed it. Thread-safe; CPU only.
 */
@FunctionalInterface
public interface AckGate {
    /**
     * {@link Admission#OK}, {@link Admission#REJECT_AUTH} or {@link Admission#REJECT_NOT_OWNER}.
     *
     * @param token the token sent, empty when none
     */
    Admission check(String key, String token);
}
