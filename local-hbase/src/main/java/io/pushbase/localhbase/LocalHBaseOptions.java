package io.pushbase.localhbase;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The command line of {@link LocalHBaseMain}, parsed and validated: where the data lives, the
 * ZooKeeper client port, the address every server socket binds to, and whether end of standard
 * input means "stop".
 *
 * <p>Immutable and thread-safe. {@link #parse} throws {@link IllegalArgumentException} with a
 * message meant for the person or launcher that wrote the command line.
 */
public final class LocalHBaseOptions {
    public static final int DEFAULT_ZK_PORT = 2181;
    public static final String DEFAULT_BIND = "127.0.0.1";

    public static final String USAGE =
            "usage: LocalHBaseMain --data DIR [--zk-port N] [--bind ADDRESS] [--ignore-stdin]\n"
                    + "  --data DIR        data directory (ZooKeeper under DIR/zookeeper,"
                    + " HBase under DIR/hbase); created if missing\n"
                    + "  --zk-port N       ZooKeeper client port (default "
                    + DEFAULT_ZK_PORT
                    + ")\n"
                    + "  --bind ADDRESS    127.0.0.1 (localhost) or 0.0.0.0 (default "
                    + DEFAULT_BIND
                    + ")\n"
                    + "  --ignore-stdin    do not stop when standard input ends (for manual runs"
                    + " in the background; stop with SIGTERM)\n"
                    + "Prints 'READY host:port' on stdout once HBase serves; stops cleanly on"
                    + " stdin EOF, SIGTERM or SIGINT.";

    private final Path dataDir;
    private final int zkPort;
    private final InetAddress bindAddress;
    private final boolean ignoreStdin;

    private LocalHBaseOptions(
            Path dataDir, int zkPort, InetAddress bindAddress, boolean ignoreStdin) {
        this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
        this.zkPort = zkPort;
        this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
        this.ignoreStdin = ignoreStdin;
    }

    /**
     * Parses {@code args}.
     *
     * @throws IllegalArgumentException when an option is unknown, lacks its value, repeats, or has
     *     a value out of range; or when {@code --data} is missing
     */
    public static LocalHBaseOptions parse(String... args) {
        Path data = null;
        Integer port = null;
        String bind = null;
        boolean ignoreStdin = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--data":
                    requireUnset(data, arg);
                    data = Path.of(value(args, ++i, arg)).toAbsolutePath().normalize();
                    break;
                case "--zk-port":
                    requireUnset(port, arg);
                    port = port(value(args, ++i, arg));
                    break;
                case "--bind":
                    requireUnset(bind, arg);
                    bind = value(args, ++i, arg);
                    break;
                case "--ignore-stdin":
                    ignoreStdin = true;
                    break;
                default:
                    throw new IllegalArgumentException("unknown argument: " + arg);
            }
        }
        if (data == null) {
            throw new IllegalArgumentException("--data DIR is required");
        }
        return new LocalHBaseOptions(
                data,
                port == null ? DEFAULT_ZK_PORT : port,
                bindAddress(bind == null ? DEFAULT_BIND : bind),
                ignoreStdin);
    }

    /** Absolute, normalized data directory. */
    public Path dataDir() {
        return dataDir;
    }

    public int zkPort() {
        return zkPort;
    }

    /** The address {@code localhost} resolves to, or the wildcard address. */
    public InetAddress bindAddress() {
        return bindAddress;
    }

    /**
     * The host clients should use: the bind address, or {@code 127.0.0.1} when binding to every
     * interface (this cluster is for one machine).
     */
    public String advertisedHost() {
        return bindAddress.isAnyLocalAddress() ? "127.0.0.1" : bindAddress.getHostAddress();
    }

    public boolean ignoreStdin() {
        return ignoreStdin;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static void requireUnset(Object current, String option) {
        if (current != null) {
            throw new IllegalArgumentException(option + " given twice");
        }
    }

    private static int port(String text) {
        int port;
        try {
            port = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--zk-port must be a number, got '" + text + "'");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("--zk-port must be 1..65535, got " + port);
        }
        return port;
    }

    private static InetAddress bindAddress(String text) {
        InetAddress address;
        InetAddress localhost;
        try {
            address = InetAddress.getByName(text);
            localhost = InetAddress.getByName("localhost");
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--bind: unknown address '" + text + "'");
        }
        // MiniZooKeeperCluster checks its own startup by connecting to "localhost": a server
        // bound to any other address (even another loopback one) would never be seen as up.
        if (!address.isAnyLocalAddress() && !address.equals(localhost)) {
            throw new IllegalArgumentException(
                    "--bind must be "
                            + localhost.getHostAddress()
                            + " (localhost) or 0.0.0.0 (this cluster is for one machine), got "
                            + text);
        }
        return address;
    }
}
