package io.pushbase.localhbase;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.sourceforge.argparse4j.ArgumentParsers;
import net.sourceforge.argparse4j.helper.HelpScreenException;
import net.sourceforge.argparse4j.impl.Arguments;
import net.sourceforge.argparse4j.inf.Argument;
import net.sourceforge.argparse4j.inf.ArgumentAction;
import net.sourceforge.argparse4j.inf.ArgumentParser;
import net.sourceforge.argparse4j.inf.ArgumentParserException;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.internal.UnrecognizedArgumentException;

/**
 * The command line of {@link LocalHBaseMain}, parsed (with argparse4j, as the rest of Pushbase's
 * command lines are) and validated: where the data lives, the ZooKeeper client port, the address
 * every server socket binds to, and whether end of standard input means "stop".
 *
 * <p>Immutable and thread-safe. {@link #parse} throws {@link IllegalArgumentException} with a
 * message meant for the person or launcher that wrote the command line.
 */
public final class LocalHBaseOptions {
    public static final int DEFAULT_ZK_PORT = 2181;
    public static final String DEFAULT_BIND = "127.0.0.1";

    /** The command line's parser; its help is what {@code LocalHBaseMain --help} prints. */
    static ArgumentParser parser() {
        ArgumentParser parser =
                ArgumentParsers.newFor("LocalHBaseMain")
                        .terminalWidthDetection(false)
                        .defaultFormatWidth(100)
                        .build()
                        .description(
                                "ZooKeeper and HBase (1 master, 1 region server, local filesystem)"
                                        + " for one machine. Prints 'READY host:port' on stdout"
                                        + " once HBase serves; stops cleanly on stdin EOF, SIGTERM"
                                        + " or SIGINT.");
        parser.addArgument("--data")
                .metavar("DIR")
                .action(ONCE)
                .help(
                        "data directory (ZooKeeper under DIR/zookeeper, HBase under DIR/hbase);"
                                + " created if missing; required");
        parser.addArgument("--zk-port")
                .metavar("N")
                .action(ONCE)
                .type(LocalHBaseOptions::port)
                .help("ZooKeeper client port (default " + DEFAULT_ZK_PORT + ")");
        parser.addArgument("--bind")
                .metavar("ADDRESS")
                .action(ONCE)
                .help("127.0.0.1 (localhost) or 0.0.0.0 (default " + DEFAULT_BIND + ")");
        parser.addArgument("--ignore-stdin")
                .action(Arguments.storeTrue())
                .help(
                        "do not stop when standard input ends (for manual runs in the background;"
                                + " stop with SIGTERM)");
        return parser;
    }

    /** Stores an option's value, refusing a second one. */
    private static final ArgumentAction ONCE =
            new ArgumentAction() {
                @Override
                public void run(
                        ArgumentParser parser,
                        Argument arg,
                        Map<String, Object> attrs,
                        String flag,
                        Object value)
                        throws ArgumentParserException {
                    if (attrs.get(arg.getDest()) != null) {
                        throw new ArgumentParserException(flag + " given twice", parser);
                    }
                    attrs.put(arg.getDest(), value);
                }

                @Override
                public void onAttach(Argument arg) {}

                @Override
                public boolean consumeArgument() {
                    return true;
                }
            };

    /** argparse4j's message for an option without its value. */
    private static final Pattern NO_VALUE =
            Pattern.compile("argument (\\S+): expected one argument");

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
     * Parses {@code args}; for {@code -h}/{@code --help} prints the help to standard output and
     * answers null.
     *
     * @throws IllegalArgumentException when an option is unknown, lacks its value, repeats, or has
     *     a value out of range; or when {@code --data} is missing
     */
    public static LocalHBaseOptions parse(String... args) {
        Namespace ns;
        try {
            ns = parser().parseArgs(args);
        } catch (HelpScreenException e) {
            return null;
        } catch (UnrecognizedArgumentException e) {
            throw new IllegalArgumentException("unknown argument: " + e.getArgument(), e);
        } catch (ArgumentParserException e) {
            Matcher noValue = NO_VALUE.matcher(e.getMessage());
            throw new IllegalArgumentException(
                    noValue.matches() ? noValue.group(1) + " needs a value" : e.getMessage(), e);
        }
        String data = ns.getString("data");
        if (data == null) {
            throw new IllegalArgumentException("--data DIR is required");
        }
        Integer port = ns.getInt("zk_port");
        String bind = ns.getString("bind");
        return new LocalHBaseOptions(
                Path.of(data).toAbsolutePath().normalize(),
                port == null ? DEFAULT_ZK_PORT : port,
                bindAddress(bind == null ? DEFAULT_BIND : bind),
                ns.getBoolean("ignore_stdin"));
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

    private static int port(ArgumentParser parser, Argument arg, String text)
            throws ArgumentParserException {
        int port;
        try {
            port = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new ArgumentParserException(
                    "--zk-port must be a number, got '" + text + "'", parser);
        }
        if (port < 1 || port > 65535) {
            throw new ArgumentParserException("--zk-port must be 1..65535, got " + port, parser);
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
