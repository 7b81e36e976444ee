package io.pushbase.launcher.standalone;

import java.io.PrintWriter;
import java.nio.file.Path;
import net.sourceforge.argparse4j.ArgumentParsers;
import net.sourceforge.argparse4j.helper.HelpScreenException;
import net.sourceforge.argparse4j.inf.ArgumentParser;
import net.sourceforge.argparse4j.inf.ArgumentParserException;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.internal.UnrecognizedArgumentException;

/**
 * What {@code pushbase standalone} was asked for, read with argparse4j (as Dropwizard's own command
 * line is).
 *
 * @param home the distribution's root ({@code bin/}, {@code conf/}, {@code lib/})
 * @param data where HBase, ZooKeeper and the logs keep their files (default {@code ./data})
 * @param zookeeper an existing ZooKeeper (and HBase registered in it) to use instead of starting
 *     one, or null
 * @param portOffset added to every default port (0: docs/PROTOCOL.md's ports)
 */
record StandaloneOptions(Path home, Path data, String zookeeper, int portOffset) {
    static final int MAX_PORT_OFFSET = 50_000;

    /** The command line's parser; its help is what {@code pushbase standalone --help} prints. */
    static ArgumentParser parser() {
        ArgumentParser parser =
                ArgumentParsers.newFor("pushbase standalone")
                        .terminalWidthDetection(false)
                        .defaultFormatWidth(100)
                        .build()
                        .description(
                                "Starts ZooKeeper and HBase (one JVM, unless --zk), then one"
                                        + " message, one comet and one web node (a second JVM),"
                                        + " prints where each listens once the whole chain is"
                                        + " healthy, and runs until Ctrl-C or SIGTERM.");
        parser.addArgument("--data")
                .metavar("DIR")
                .setDefault("data")
                .help(
                        "where HBase, ZooKeeper and the logs live (default ./data); kept across"
                                + " stops and restarts");
        parser.addArgument("--zk")
                .metavar("HOST:PORT")
                .help(
                        "use this ZooKeeper and the HBase registered in it instead of starting"
                                + " both");
        parser.addArgument("--port-offset")
                .metavar("N")
                .type(
                        (p, argument, value) -> {
                            int offset;
                            try {
                                offset = Integer.parseInt(value);
                            } catch (NumberFormatException e) {
                                throw new ArgumentParserException(
                                        "--port-offset must be a number", p);
                            }
                            if (offset < 0 || offset > MAX_PORT_OFFSET) {
                                throw new ArgumentParserException(
                                        "--port-offset must be 0.." + MAX_PORT_OFFSET, p);
                            }
                            return offset;
                        })
                .setDefault(0)
                .help(
                        "add N to every port (default 0: 2181, 8070/8071, 6968/6969/6970/6971,"
                                + " 8090/8091/8092)");
        return parser;
    }

    /**
     * Parses {@code args}; for {@code -h}/{@code --help} prints the help to standard output and
     * answers null.
     *
     * @throws IllegalArgumentException naming the bad argument
     */
    static StandaloneOptions parse(Path home, String[] args) {
        Namespace ns;
        try {
            ns = parser().parseArgs(args);
        } catch (HelpScreenException e) {
            return null;
        } catch (UnrecognizedArgumentException e) {
            throw new IllegalArgumentException("unknown option: " + e.getArgument(), e);
        } catch (ArgumentParserException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return new StandaloneOptions(
                home,
                Path.of(ns.getString("data")).toAbsolutePath().normalize(),
                ns.getString("zk"),
                ns.getInt("port_offset"));
    }

    /** Prints the short usage line to {@code out}. */
    static void printUsage(PrintWriter out) {
        parser().printUsage(out);
        out.flush();
    }

    int port(int defaultPort) {
        return defaultPort + portOffset;
    }
}
