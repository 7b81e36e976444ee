/** The comet's gRPC face to web nodes: {@code CometService} over the push pipeline. */
package io.pushbase.comet.grpc;
