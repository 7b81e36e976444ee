/**
 * The comet's client connection pipelines: {@link io.pushbase.comet.handler.TcpInitializer} and
 * {@link io.pushbase.comet.handler.WebSocketInitializer} build them, one handler per concern, and
 * the handlers swap themselves when a connection changes state (first request, then subscribed
 * heartbeats). The limits they apply and the counters they keep are in {@code
 * io.pushbase.comet.connection}.
 *
 * <p>Failures of one connection end in its {@link io.pushbase.comet.handler.ConnectionErrorHandler}
 * and close only that connection. Admission and delivery are behind {@code
 * io.pushbase.comet.subscription}'s interfaces; the listeners that bootstrap these pipelines are in
 * {@code io.pushbase.comet.server}.
 */
package io.pushbase.comet.handler;
