/**
 * The gRPC face of a message node: the thin {@code MessageService} adapter over a {@link
 * io.pushbase.store.MessageStore}, the one error mapper, and the server lifecycle.
 */
package io.pushbase.store.grpc;
