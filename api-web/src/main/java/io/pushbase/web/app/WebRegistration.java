package io.pushbase.web.app;

import io.dropwizard.lifecycle.Managed;
import io.dropwizard.lifecycle.ServerLifecycleListener;
import io.pushbase.cluster.NodeDetails;
import io.pushbase.cluster.NodeRegistration;
import io.pushbase.schema.ZkPaths;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers this web node in discovery (service {@code web}) once Jetty listens, with the ports it
 * really bound ({@code http} = the external API, {@code admin} = the admin API), and deregisters on
 * stop. Web nodes are stateless: nothing routes by this registration; it feeds the cluster view.
 *
 * <p>Lifecycle: registered from Jetty's started callback, deregistered by {@link #stop()}. A
 * registration failure is logged, not fatal: the node serves clients either way.
 */
final class WebRegistration implements Managed, ServerLifecycleListener {
    private static final Logger LOG = LoggerFactory.getLogger(WebRegistration.class);

    private final CuratorFramework client;
    private final ZkPaths paths;
    private final String nodeName;
    private final String host;
    private NodeRegistration registration; // guarded by this

    WebRegistration(CuratorFramework client, ZkPaths paths, String nodeName, String host) {
        this.client = client;
        this.paths = paths;
        this.nodeName = nodeName;
        this.host = host;
    }

    @Override
    public void serverStarted(Server server) {
        int http = getLocalPort(server);
        int admin = getAdminPort(server);
        NodeRegistration next =
                new NodeRegistration(
                        client,
                        paths.discovery(),
                        ZkPaths.SERVICE_WEB,
                        host,
                        http,
                        new NodeDetails(
                                nodeName,
                                1,
                                Map.of("http", host + ":" + http, "admin", host + ":" + admin)));
        try {
            next.start();
            synchronized (this) {
                registration = next;
            }
        } catch (Exception e) {
            LOG.error("Registering web node {} in discovery failed", nodeName, e);
        }
    }

    @Override
    public void start() {}

    @Override
    public void stop() throws Exception {
        NodeRegistration current;
        synchronized (this) {
            current = registration;
            registration = null;
        }
        if (current != null) {
            current.stop();
        }
    }
}
