/**
 * Key placement shared by web and comet nodes: the weighted consistent-hash ring ({@link
 * io.pushbase.cluster.ring.HashRing}) that says which comet node name owns a key. Its placement is
 * part of the cluster contract: nodes of different builds must agree on it.
 */
package io.pushbase.cluster.ring;
