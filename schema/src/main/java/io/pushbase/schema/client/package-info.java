/**
 * The client-visible contract of docs/PROTOCOL.md shared by comets and web nodes: message ids as
 * time ({@link io.pushbase.schema.client.MidClock}) and the message JSON in both formats, rendered
 * byte-exactly as gopush-cluster did ({@link io.pushbase.schema.client.MessageJson}).
 */
package io.pushbase.schema.client;
