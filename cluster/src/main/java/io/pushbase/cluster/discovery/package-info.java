/**
 * Watching peers in Curator service discovery: {@link io.pushbase.cluster.discovery.LiveNodes}
 * keeps an in-memory view of one service's registered instances and tells listeners when it
 * changes. (Registering this node is {@link io.pushbase.cluster.NodeRegistration}'s job.)
 */
package io.pushbase.cluster.discovery;
