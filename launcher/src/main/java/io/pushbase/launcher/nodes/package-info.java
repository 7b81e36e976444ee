/**
 * {@code pushbase nodes}: the three node roles hosted in one JVM, as {@code standalone} runs them
 * ({@link io.pushbase.launcher.nodes.NodesProcess}), the roles' ports ({@link
 * io.pushbase.launcher.nodes.Role}) and free loopback ports for a role's child process ({@link
 * io.pushbase.launcher.nodes.LoopbackPorts}).
 */
package io.pushbase.launcher.nodes;
