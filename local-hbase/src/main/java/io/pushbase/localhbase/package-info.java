/**
 * ZooKeeper and HBase for one machine, run as a separate JVM by {@code pushbase standalone} ({@link
 * io.pushbase.localhbase.LocalHBaseMain}): the unshaded HBase server brings Jetty 9, protobuf 2.5,
 * Netty 4.1 and old Guava and Jackson, so it never shares a JVM or a build's dependency management
 * with the Pushbase nodes. Nodes reach it as any HBase, through the ZooKeeper quorum it announces.
 */
package io.pushbase.localhbase;
