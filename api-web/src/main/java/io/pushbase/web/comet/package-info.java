/**
 * Finding and calling comets: the ring over live comets, one gRPC channel per comet, deadline-bound
 * calls.
 */
package io.pushbase.web.comet;
