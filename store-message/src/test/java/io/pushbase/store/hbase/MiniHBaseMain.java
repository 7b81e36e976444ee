package io.pushbase.store.hbase;

import java.io.IOException;

/**
 * Runs a {@link MiniHBase} as its own process, for tests whose JVM must not hold the HBase testing
 * classes (Dropwizard and Netty nodes, docs/DEPENDENCIES.md pitfall 4). Prints {@code READY
 * <zookeeper quorum>} once serving and stops when its standard input closes, so it never outlives
 * the test that started it.
 */
public final class MiniHBaseMain {
    private MiniHBaseMain() {}

    public static void main(String[] args) throws Exception {
        MiniHBase mini = MiniHBase.start();
        System.out.println("READY " + mini.zookeeperQuorum());
        System.out.flush();
        try {
            while (System.in.read() != -1) {
                // wait for the parent to close our stdin (or die)
            }
        } catch (IOException ignored) {
            // parent gone
        }
        mini.close();
        System.exit(0);
    }
}
