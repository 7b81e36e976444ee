/**
 * The gRPC face of a message node: the thin {@code MessageService} adapter over a {@link
 * io.pushbase.store.MessageStore}, and the one error mapper (the server lifecycle is {@code
 * io.pushbase.cluster.grpc.GrpcServer}).
 */
package io.pushbase.store.grpc;
