package io.pushbase.comet.push;

/**
 * A push that went through: its message id and how many connections it was written to.
 *
 * @param mid the message id the key's log took
 * @param delivered connections of the key the message was queued on
 */
public record Pushed(long mid, int delivered) {}
