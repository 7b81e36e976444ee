/**
 * The HBase layout of the message table: row keys ({@link io.pushbase.schema.hbase.RowKeys}) and
 * the table definition ({@link io.pushbase.schema.hbase.MessageTableLayout}), which is the single
 * source of the operator's {@code schema/hbase/create-tables.hbase}.
 */
package io.pushbase.schema.hbase;
