/**
 * The gRPC server every node kind runs: its YAML block ({@link
 * io.pushbase.cluster.grpc.GrpcConfiguration}) and its lifecycle ({@link
 * io.pushbase.cluster.grpc.GrpcServer}).
 */
package io.pushbase.cluster.grpc;
