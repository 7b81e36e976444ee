package io.pushbase.launcher.nodes;

import io.dropwizard.core.Application;
import io.pushbase.cluster.app.NodeHost;
import io.pushbase.comet.app.CometApplication;
import io.pushbase.store.app.MessageApplication;
import io.pushbase.web.app.WebApplication;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The three node roles as one machine runs them: each role's application, and the port settings its
 * {@code conf/<role>.yml} reads ({@code ${VAR:-default}}), with the defaults of docs/PROTOCOL.md
 * (gopush-cluster's ports). With a port offset every port moves by the same amount, so several
 * clusters fit on one machine. Declared in start order: message nodes first (comets need one), the
 * web node last (its health check needs the whole chain).
 */
public enum Role {
    MESSAGE(
            MessageApplication::new,
            8071,
            Map.of("PUSHBASE_GRPC_PORT", 8070, "PUSHBASE_ADMIN_PORT", 8071)),
    COMET(
            CometApplication::new,
            6971,
            Map.of(
                    "PUSHBASE_TCP_PORT", 6969,
                    "PUSHBASE_WS_PORT", 6968,
                    "PUSHBASE_GRPC_PORT", 6970,
                    "PUSHBASE_ADMIN_PORT", 6971)),
    WEB(WebApplication::new, 8091, Map.of("PUSHBASE_HTTP_PORT", 8090, "PUSHBASE_ADMIN_PORT", 8091));

    private final Function<NodeHost, Application<?>> application;
    private final int adminPort;
    private final Map<String, Integer> ports;

    Role(
            Function<NodeHost, Application<?>> application,
            int adminPort,
            Map<String, Integer> ports) {
        this.application = application;
        this.adminPort = adminPort;
        this.ports = ports;
    }

    /** The name on the command line and of the configuration file: {@code message}... */
    public String roleName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role's Dropwizard application, hosted by {@code host}. */
    public Application<?> application(NodeHost host) {
        return application.apply(host);
    }

    /** The admin port ({@code /healthcheck}, {@code /metrics}) with {@code offset} applied. */
    public int adminPort(int offset) {
        return adminPort + offset;
    }

    /** The role's port settings, each default plus {@code offset}. */
    public Map<String, String> portSettings(int offset) {
        Map<String, String> settings = new LinkedHashMap<>();
        ports.forEach((name, port) -> settings.put(name, Integer.toString(port + offset)));
        return settings;
    }
}
