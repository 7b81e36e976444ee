package io.pushbase.launcher.nodes;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Free loopback ports for one node of a {@link Role} run as a child process, and the environment
 * that makes the role's shipped {@code <role>.yml} use them: every port setting ({@code
 * PUSHBASE_<USE>_PORT}) with its bind address ({@code PUSHBASE_<USE>_BIND}) on 127.0.0.1, the
 * advertised host 127.0.0.1, the node's name and ZooKeeper. The benchmarks and the end-to-end tests
 * start their nodes with these, so each reads its ports exactly as an operator sets them.
 *
 * <p>Immutable and thread-safe. A port is free when chosen and never handed out twice by this JVM,
 * but another process may still take it before the node binds it (the node then fails to start,
 * with the port in its message).
 */
public final class LoopbackPorts {
    /** The loopback address every listener binds to and every node advertises. */
    public static final String HOST = "127.0.0.1";

    private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

    private final Role role;
    private final Map<String, Integer> ports;

    private LoopbackPorts(Role role, Map<String, Integer> ports) {
        this.role = role;
        this.ports = Collections.unmodifiableMap(ports);
    }

    /** One free port for each of {@code role}'s {@linkplain Role#portUses() uses}. */
    public static LoopbackPorts free(Role role) throws IOException {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (String use : role.portUses()) {
            ports.put(use, freePort());
        }
        return new LoopbackPorts(role, ports);
    }

    /** A TCP port free right now and not handed out before by this JVM. */
    public static int freePort() throws IOException {
        while (true) {
            try (ServerSocket socket = new ServerSocket(0)) {
                if (GIVEN.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            }
        }
    }

    public Role role() {
        return role;
    }

    /**
     * A port by its use: {@code admin}, {@code grpc}, {@code tcp}, {@code ws}, {@code http}.
     *
     * @throws IllegalArgumentException when the role has no port of that use
     */
    public int port(String use) {
        Integer port = ports.get(use);
        if (port == null) {
            throw new IllegalArgumentException(role.roleName() + " has no " + use + " port");
        }
        return port;
    }

    /** Every port by its use, in {@link Role#portUses()} order. */
    public Map<String, Integer> ports() {
        return ports;
    }

    /**
     * The environment for the role's yml: ports and bind addresses, the advertised host, {@code
     * nodeName} in the role's {@linkplain Role#nameSetting() name setting} and {@code PUSHBASE_ZK}.
     */
    public Map<String, String> environment(String zookeeper, String nodeName) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PUSHBASE_ZK", zookeeper);
        env.put(role.nameSetting(), nodeName);
        env.put("PUSHBASE_ADVERTISE_HOST", HOST);
        ports.forEach(
                (use, port) -> {
                    String prefix = "PUSHBASE_" + use.toUpperCase(Locale.ROOT);
                    env.put(prefix + "_BIND", HOST);
                    env.put(prefix + "_PORT", Integer.toString(port));
                });
        return env;
    }

    @Override
    public String toString() {
        return ports.toString();
    }
}
