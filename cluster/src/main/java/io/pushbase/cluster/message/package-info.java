/**
 * Calling message nodes from comets and web nodes: {@link
 * io.pushbase.cluster.message.MessageNodeClient} follows the live message nodes, spreads calls
 * across them by weight and retries failed calls on another node within a bound.
 */
package io.pushbase.cluster.message;
