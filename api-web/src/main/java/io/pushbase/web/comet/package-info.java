/**
 * Finding and calling comets: the ring over live comets ({@link
 * io.pushbase.web.comet.CometDirectory}, with its health check {@link
 * io.pushbase.web.comet.CometsHealthCheck}), one gRPC channel per comet ({@link
 * io.pushbase.web.comet.CometChannels}), deadline-bound calls ({@link
 * io.pushbase.web.comet.CometClient}).
 */
package io.pushbase.web.comet;
