/**
 * Finding and calling comets: which comet owns a key ({@link io.pushbase.web.comet.CometOwners},
 * answered by {@link io.pushbase.web.comet.CometDirectory} from the ring over the live comets, with
 * its health check {@link io.pushbase.web.comet.CometsHealthCheck}), one gRPC channel per comet
 * ({@link io.pushbase.web.comet.CometChannels}), deadline-bound calls ({@link
 * io.pushbase.web.comet.Comets}, made by {@link io.pushbase.web.comet.CometClient}).
 */
package io.pushbase.web.comet;
