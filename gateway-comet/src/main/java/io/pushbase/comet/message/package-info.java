/**
 * The message JSON a subscriber receives ({@code {"msg":...,"mid":N,"gid":0}}) in the two formats
 * of docs/PROTOCOL.md section 3, rendered byte for byte as gopush-cluster did, and the value a
 * pushed message travels in through a connection's pipeline. Independent of the transport: the TCP
 * and WebSocket encoders in {@code io.pushbase.comet.codec} add the framing.
 */
package io.pushbase.comet.message;
