package io.pushbase.launcher.nodes;

import io.dropwizard.core.Application;
import io.pushbase.cluster.app.NodeHost;
import io.pushbase.comet.app.CometApplication;
import io.pushbase.store.app.MessageApplication;
import io.pushbase.web.app.WebApplication;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
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
            "PUSHBASE_NODE_NAME",
            8071,
            Map.of("PUSHBASE_GRPC_PORT", 8070, "PUSHBASE_ADMIN_PORT", 8071)),
    COMET(
            CometApplication::new,
            "PUSHBASE_COMET_NAME",
            6971,
            Map.of(
                    "PUSHBASE_TCP_PORT", 6969,
                    "PUSHBASE_WS_PORT", 6968,
                    "PUSHBASE_GRPC_PORT", 6970,
                    "PUSHBASE_ADMIN_PORT", 6971)),
    WEB(
            WebApplication::new,
            "PUSHBASE_WEB_NAME",
            8091,
            Map.of(
                    "PUSHBASE_HTTP_PORT", 8090,
                    "PUSHBASE_ADMIN_PORT", 8091,
                    "PUSHBASE_OPS_PORT", 8092));

    private final Function<NodeHost, Application<?>> application;
    private final String nameSetting;
    private final int adminPort;
    private final Map<String, Integer> ports;

    Role(
            Function<NodeHost, Application<?>> application,
            String nameSetting,
            int adminPort,
            Map<String, Integer> ports) {
        this.application = application;
        this.nameSetting = nameSetting;
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

    /** The variable its yml reads the node's name from ({@code PUSHBASE_WEB_NAME}...). */
    public String nameSetting() {
        return nameSetting;
    }

    /**
     * The uses of the role's ports, sorted: {@code admin}, {@code grpc}, {@code http}, {@code ops},
     * {@code tcp}, {@code ws} as they apply. Use {@code x} is set by {@code PUSHBASE_X_PORT} and
     * bound by {@code PUSHBASE_X_BIND} in the role's yml.
     */
    public SortedSet<String> portUses() {
        SortedSet<String> uses = new TreeSet<>();
        for (String setting : ports.keySet()) {
            uses.add(
                    setting.substring("PUSHBASE_".length(), setting.length() - "_PORT".length())
                            .toLowerCase(Locale.ROOT));
        }
        return uses;
    }
}
