/**
 * Calling message nodes from comets and web nodes: {@link
 * io.pushbase.cluster.message.MessageNodeClient} follows the live message nodes, spreads calls
 * across them by weight and retries failed calls on another node within a bound; {@link
 * io.pushbase.cluster.message.KeyAppender} takes a key's next mid through a {@link
 * io.pushbase.cluster.message.MessageLog}, normally the {@link
 * io.pushbase.cluster.message.AppendBatcher} that sends many keys' appends as one AppendMany.
 */
package io.pushbase.cluster.message;
