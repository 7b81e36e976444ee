package io.pushbase.launcher.standalone;

import java.nio.file.Path;

/**
 * What {@code pushbase standalone} was asked for.
 *
 * @param home the distribution's root ({@code bin/}, {@code conf/}, {@code lib/})
 * @param data where HBase, ZooKeeper and the logs keep their files (default {@code ./data})
 * @param zookeeper an existing ZooKeeper (and HBase registered in it) to use instead of starting
 *     one, or null
 * @param portOffset added to every default port (0: docs/PROTOCOL.md's ports)
 */
record StandaloneOptions(Path home, Path data, String zookeeper, int portOffset) {
    static final String USAGE =
            String.join(
                    "\n",
                    "usage: pushbase standalone [--data DIR] [--zk HOST:PORT] [--port-offset N]",
                    "",
                    "  --data DIR         where HBase, ZooKeeper and the logs live (default ./data);",
                    "                     kept across stops and restarts",
                    "  --zk HOST:PORT     use this ZooKeeper and the HBase registered in it instead",
                    "                     of starting both",
                    "  --port-offset N    add N to every port (default 0: 2181, 8070/8071,",
                    "                     6968/6969/6970/6971, 8090/8091)",
                    "");

    /**
     * Parses {@code args}.
     *
     * @throws IllegalArgumentException naming the bad argument
     */
    static StandaloneOptions parse(Path home, String[] args) {
        Path data = Path.of("data");
        String zk = null;
        int offset = 0;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("unknown option or missing value: " + arg);
            }
            String value = args[++i];
            switch (arg) {
                case "--data" -> data = Path.of(value);
                case "--zk" -> zk = value;
                case "--port-offset" -> {
                    try {
                        offset = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--port-offset must be a number");
                    }
                    if (offset < 0 || offset > 50_000) {
                        throw new IllegalArgumentException("--port-offset must be 0..50000");
                    }
                }
                default -> throw new IllegalArgumentException("unknown option: " + arg);
            }
        }
        return new StandaloneOptions(home, data.toAbsolutePath().normalize(), zk, offset);
    }

    int port(int defaultPort) {
        return defaultPort + portOffset;
    }
}
