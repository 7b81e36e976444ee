package io.pushbase.launcher.nodes;

import io.pushbase.cluster.app.NodeHost;
import io.pushbase.cluster.grpc.GrpcTransport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.eclipse.jetty.server.Server;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code pushbase nodes}: one message, one comet and one web node in this JVM, each its own
 * Dropwizard application from {@code conf/<role>.yml} with its own ports, admin port, metrics and
 * health checks, exactly as {@code bin/pushbase <role>} runs it — but sharing one JIT, one heap and
 * an in-process {@link GrpcTransport}: the web node's calls to the comet and both nodes' calls to
 * the message node skip the loopback socket. What {@code standalone} runs; a real cluster runs one
 * role per JVM (and per machine), where the same nodes talk over TCP.
 *
 * <p>Start: in {@link Role} order, each {@code run} returning once its node serves. Stop (any JVM
 * exit: the supervisor closing standard input, SIGTERM): a shutdown hook stops the nodes in reverse
 * order — web, comet, message — so a comet still flushes its waiting appends to a running message
 * node. Not thread-safe; used from {@code main}.
 */
public final class NodesProcess {
    private static final Logger LOG = LoggerFactory.getLogger(NodesProcess.class);

    private final Path conf;
    private final int portOffset;
    private final List<Server> servers = Collections.synchronizedList(new ArrayList<>());

    /**
     * @param conf the directory of {@code message.yml}, {@code comet.yml}, {@code web.yml}
     * @param portOffset added to every default port
     */
    public NodesProcess(Path conf, int portOffset) {
        this.conf = conf;
        this.portOffset = portOffset;
    }

    /** Starts the three nodes; a node that fails to start ends the JVM (Dropwizard's rule). */
    public void start() throws Exception {
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "nodes-stop"));
        GrpcTransport transport = GrpcTransport.inProcess();
        for (Role role : Role.values()) {
            NodeHost host = new NodeHost(transport, role.portSettings(portOffset), this::follow);
            String yml = conf.resolve(role.roleName() + ".yml").toString();
            role.application(host).run("server", yml);
        }
    }

    private void follow(Server server) {
        // This process stops its nodes itself, in reverse order; Jetty's own hook would stop
        // them all at once.
        server.setStopAtShutdown(false);
        servers.add(server);
    }

    private void stop() {
        List<Server> started;
        synchronized (servers) {
            started = new ArrayList<>(servers);
        }
        Collections.reverse(started);
        for (Server server : started) {
            try {
                server.stop();
            } catch (Exception e) {
                LOG.warn("A node did not stop cleanly", e);
            }
        }
    }
}
