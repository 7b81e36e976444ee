package io.pushbase.launcher;

import io.pushbase.comet.app.CometApplication;
import io.pushbase.launcher.nodes.NodesProcess;
import io.pushbase.launcher.standalone.StandaloneCommand;
import io.pushbase.store.app.MessageApplication;
import io.pushbase.web.app.WebApplication;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The one executable ({@code bin/pushbase}): {@code pushbase message|comet|web <config.yml>} runs
 * one role as its Dropwizard application ({@code server <config.yml>}); {@code pushbase standalone
 * [options]} runs a whole cluster on this machine ({@link StandaloneCommand}). Dispatches and does
 * nothing else.
 *
 * <p>A role started by the standalone supervisor runs with {@code PUSHBASE_SUPERVISED=1}: it stops
 * (cleanly, through the JVM's shutdown hooks) when its standard input closes, which happens when
 * the supervisor closes it or dies in any way — so no role outlives its supervisor.
 */
public final class PushbaseMain {
    private static final String USAGE =
            String.join(
                    "\n",
                    "usage: pushbase message|comet|web <config.yml>",
                    "       pushbase standalone [--data DIR] [--zk HOST:PORT] [--port-offset N]",
                    "       pushbase nodes [--port-offset N]",
                    "",
                    "  message     a message node (stores messages in HBase)",
                    "  comet       a comet node (holds client TCP and WebSocket connections)",
                    "  web         a web node (HTTP API: lookup, offline pull, admin push)",
                    "  standalone  ZooKeeper, HBase and one node of each role on this machine",
                    "  nodes       one node of each role in this JVM (what standalone runs;",
                    "              ZooKeeper from PUSHBASE_ZK, HBase's from HBASE_ZK)",
                    "");

    private PushbaseMain() {}

    /** The distribution root, set by {@code bin/pushbase}. */
    private static Path home() {
        String home = System.getProperty("pushbase.home");
        if (home == null) {
            System.err.println("pushbase.home is not set: start through bin/pushbase");
            System.exit(2);
        }
        return Path.of(home);
    }

    /** {@code nodes}' only option. */
    private static int nodesPortOffset(String[] args) {
        if (args.length == 0) {
            return 0;
        }
        if (args.length == 2 && args[0].equals("--port-offset") && args[1].matches("\\d{1,5}")) {
            return Integer.parseInt(args[1]);
        }
        System.err.print(USAGE);
        System.exit(2);
        return 0;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
            System.out.print(USAGE);
            System.exit(args.length == 0 ? 2 : 0);
        }
        String command = args[0];
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        if (command.equals("standalone")) {
            System.exit(StandaloneCommand.run(rest));
        }
        if (command.equals("nodes")) {
            ParentWatch.startIfSupervised();
            new NodesProcess(home().resolve("conf"), nodesPortOffset(rest)).start();
            return;
        }
        if (rest.length != 1) {
            System.err.print(USAGE);
            System.exit(2);
        }
        ParentWatch.startIfSupervised();
        String[] server = {"server", rest[0]};
        switch (command) {
            case "message" -> new MessageApplication().run(server);
            case "comet" -> new CometApplication().run(server);
            case "web" -> new WebApplication().run(server);
            default -> {
                System.err.println("unknown role '" + command + "'");
                System.err.print(USAGE);
                System.exit(2);
            }
        }
    }
}
