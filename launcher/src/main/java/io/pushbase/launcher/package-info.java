/**
 * {@code bin/pushbase}'s main: {@link io.pushbase.launcher.PushbaseMain} dispatches to one node
 * role ({@code message}, {@code comet}, {@code web}), to {@code nodes} (the three in one JVM) or to
 * {@code standalone} (a whole cluster on this machine), and does nothing else. A role supervised by
 * {@code standalone} stops when its standard input closes ({@code ParentWatch}), so no role
 * outlives its supervisor.
 */
package io.pushbase.launcher;
