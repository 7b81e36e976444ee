/**
 * Contracts every Pushbase node shares: ZooKeeper paths and service names here, the HBase table
 * layout in {@code hbase}, the generated gRPC stubs in {@code message.v1}.
 */
package io.pushbase.schema;
