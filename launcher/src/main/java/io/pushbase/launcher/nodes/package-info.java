/**
 * {@code pushbase nodes}: the three node roles hosted in one JVM, as {@code standalone} runs them
 * ({@link io.pushbase.launcher.nodes.NodesProcess}), and the roles' ports ({@link
 * io.pushbase.launcher.nodes.Role}).
 */
package io.pushbase.launcher.nodes;
