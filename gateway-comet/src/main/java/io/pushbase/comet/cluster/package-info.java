/**
 * The comet's cluster role: {@link io.pushbase.comet.cluster.CometLeadership} elects one comet per
 * node name (Curator leader latch), registers only that one in discovery and handles ZooKeeper's
 * {@code SUSPENDED} / {@code LOST} / {@code RECONNECTED} states explicitly; {@link
 * io.pushbase.comet.cluster.RingOwnership} says which keys this comet serves (the shared hash ring
 * over the live comet node names, while it leads) and closes the connections of keys that move
 * away, so their clients reconnect to the new owner. {@link
 * io.pushbase.comet.cluster.CometRoleHealthCheck} reports the role and the ring.
 */
package io.pushbase.comet.cluster;
