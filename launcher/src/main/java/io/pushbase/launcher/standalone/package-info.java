/**
 * {@code pushbase standalone}: the supervisor of a one-machine cluster. {@link
 * io.pushbase.launcher.standalone.StandaloneOptions} is its command line, {@link
 * io.pushbase.launcher.standalone.StandaloneCluster} starts ZooKeeper and HBase, then the nodes, as
 * child JVMs gated on their health and stops them in reverse order, {@link
 * io.pushbase.launcher.standalone.StandaloneCommand} runs it until Ctrl-C, SIGTERM or a child's
 * death (docs/STANDALONE.md).
 */
package io.pushbase.launcher.standalone;
