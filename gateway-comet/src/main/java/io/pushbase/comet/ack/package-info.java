/**
 * (Pushbase) Client acknowledgements on the comet: the per-connection {@code ack} command's rules
 * ({@link io.pushbase.comet.ack.AckCommand}, {@link io.pushbase.comet.ack.AckRate}) and the
 * comet-wide batcher that coalesces acks per (key, device) and sends them to the message nodes
 * ({@link io.pushbase.comet.ack.AckBatcher}); docs/PROTOCOL.md "Acknowledgements".
 */
package io.pushbase.comet.ack;
