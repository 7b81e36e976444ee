/**
 * The gRPC server every node kind runs: its YAML block ({@link
 * io.pushbase.cluster.grpc.GrpcConfiguration}) and its lifecycle ({@link
 * io.pushbase.cluster.grpc.GrpcServer}); how a process reaches servers ({@link
 * io.pushbase.cluster.grpc.GrpcTransport}); and the one helper between the nodes' {@code
 * CompletableFuture}s and gRPC calls ({@link io.pushbase.cluster.grpc.GrpcFutures}).
 */
package io.pushbase.cluster.grpc;
