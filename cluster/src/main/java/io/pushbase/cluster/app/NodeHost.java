package io.pushbase.cluster.app;

import io.dropwizard.core.Configuration;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.lifecycle.ServerLifecycleListener;
import io.pushbase.cluster.grpc.GrpcTransport;
import java.util.Map;

/**
 * What a node application gets from the process that hosts it. A process running one node ({@code
 * bin/pushbase <role>}) uses {@link #alone()}: gRPC over TCP, settings from the environment. The
 * standalone's nodes process hosts message, comet and web in one JVM: they share an in-process
 * {@link GrpcTransport}, each gets its own settings (its ports; the environment is one for all),
 * and the host learns each node's Jetty server so it can stop them in reverse order.
 *
 * <p>Immutable; {@code settings} are copied.
 *
 * @param transport how this node reaches its peers' gRPC servers and offers its own
 * @param settings values for the YAML's {@code ${VAR:-default}} that win over the environment
 * @param serverListener told when the node's Jetty server has started
 */
public record NodeHost(
        GrpcTransport transport,
        Map<String, String> settings,
        ServerLifecycleListener serverListener) {

    public NodeHost {
        settings = Map.copyOf(settings);
    }

    /** One node in its own process. */
    public static NodeHost alone() {
        return new NodeHost(GrpcTransport.network(), Map.of(), server -> {});
    }

    /** Called from the application's {@code initialize}: the YAML rule with these settings. */
    public void initialize(Bootstrap<? extends Configuration> bootstrap) {
        EnvironmentSubstitution.install(bootstrap, settings);
    }

    /** Called from the application's {@code run}: lets the host follow the node's server. */
    public void attach(Environment environment) {
        environment.lifecycle().addServerLifecycleListener(serverListener);
    }
}
