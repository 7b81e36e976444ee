/**
 * A node's own health checks over gRPC: {@link io.pushbase.cluster.health.NodeHealth} answers
 * {@code Health} (health.proto) for comets and message nodes from the node's Dropwizard health
 * check registry, off the gRPC threads and at most once per window whoever asks.
 */
package io.pushbase.cluster.health;
