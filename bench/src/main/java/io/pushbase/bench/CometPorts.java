package io.pushbase.bench;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The loopback ports of a comet child JVM, and the environment that makes the shipped {@code
 * gateway-comet/comet.yml} use them (every listener bound to 127.0.0.1).
 */
record CometPorts(int tcp, int ws, int grpc, int admin) {
    static final String MAIN_CLASS = "io.pushbase.comet.app.CometApplication";

    /** Four ports free right now. */
    static CometPorts free() throws IOException {
        return new CometPorts(
                NodeProcess.freePort(),
                NodeProcess.freePort(),
                NodeProcess.freePort(),
                NodeProcess.freePort());
    }

    /** The comet.yml variables for a comet named {@code nodeName} using ZooKeeper {@code zk}. */
    Map<String, String> environment(String zk, String nodeName) {
        Map<String, String> env = new HashMap<>();
        env.put("PUSHBASE_ZK", zk);
        env.put("PUSHBASE_COMET_NAME", nodeName);
        env.put("PUSHBASE_TCP_BIND", "127.0.0.1");
        env.put("PUSHBASE_TCP_PORT", Integer.toString(tcp));
        env.put("PUSHBASE_WS_BIND", "127.0.0.1");
        env.put("PUSHBASE_WS_PORT", Integer.toString(ws));
        env.put("PUSHBASE_GRPC_BIND", "127.0.0.1");
        env.put("PUSHBASE_GRPC_PORT", Integer.toString(grpc));
        env.put("PUSHBASE_ADVERTISE_HOST", "127.0.0.1");
        env.put("PUSHBASE_ADMIN_BIND", "127.0.0.1");
        env.put("PUSHBASE_ADMIN_PORT", Integer.toString(admin));
        return env;
    }

    @Override
    public String toString() {
        return "tcp " + tcp + ", ws " + ws + ", grpc " + grpc + ", admin " + admin;
    }
}
