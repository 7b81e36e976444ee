/**
 * The message store contract: {@link io.pushbase.store.MessageStore}, its limits and its failure
 * types. Implementations live in {@code hbase} (durable) and {@code memory} (tests and
 * development); the gRPC adapter in {@code grpc}; the node in {@code app}.
 */
package io.pushbase.store;
