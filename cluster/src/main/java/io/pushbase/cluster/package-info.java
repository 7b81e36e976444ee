/**
 * Taking part in a Pushbase cluster, shared by every node kind: the ZooKeeper session ({@link
 * io.pushbase.cluster.CuratorLifecycle}), registering this node in Curator service discovery
 * ({@link io.pushbase.cluster.NodeRegistration}) and the ZooKeeper health check. Using the cluster
 * lives in the subpackages: {@code discovery} (live view of peers), {@code ring} (key placement),
 * {@code message} (the message-node client).
 */
package io.pushbase.cluster;
