/**
 * The durable {@link io.pushbase.store.MessageStore} on HBase: the async client connection ({@link
 * io.pushbase.store.hbase.HBaseClient}), the store itself, the trimmer that keeps each key within
 * its cap, and the HBase health check. Layout: {@code io.pushbase.schema.hbase}.
 */
package io.pushbase.store.hbase;
