package io.pushbase.web.app;

import com.codahale.metrics.MetricRegistry;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.dropwizard.jersey.DropwizardResourceConfig;
import io.pushbase.cluster.CuratorLifecycle;
import io.pushbase.cluster.ZooKeeperHealthCheck;
import io.pushbase.cluster.app.NodeHost;
import io.pushbase.cluster.app.PrometheusEndpoint;
import io.pushbase.cluster.discovery.LiveNodes;
import io.pushbase.cluster.message.KeyAppender;
import io.pushbase.cluster.message.MessageLog;
import io.pushbase.cluster.message.MessageNodeClient;
import io.pushbase.cluster.message.MessageNodesHealthCheck;
import io.pushbase.cluster.token.TokenVerifier;
import io.pushbase.schema.ZkPaths;
import io.pushbase.schema.client.MidClock;
import io.pushbase.web.comet.CometChannels;
import io.pushbase.web.comet.CometClient;
import io.pushbase.web.comet.CometDirectory;
import io.pushbase.web.comet.CometElections;
import io.pushbase.web.comet.CometsHealthCheck;
import io.pushbase.web.push.PushAdmission;
import io.pushbase.web.push.PushRouter;
import io.pushbase.web.push.RoomRouter;
import io.pushbase.web.resources.AdminKeyResource;
import io.pushbase.web.resources.AdminMessageResource;
import io.pushbase.web.resources.AdminPushRoutes;
import io.pushbase.web.resources.AdminSecret;
import io.pushbase.web.resources.AdminSecretFilter;
import io.pushbase.web.resources.AdminTokenResource;
import io.pushbase.web.resources.ClientRoutes;
import io.pushbase.web.resources.ClientScriptResource;
import io.pushbase.web.resources.ConsoleResource;
import io.pushbase.web.resources.DemoResource;
import io.pushbase.web.resources.GetOnlyFilter;
import io.pushbase.web.resources.MethodNotAllowedMapper;
import io.pushbase.web.resources.NodesResource;
import io.pushbase.web.resources.PresenceResource;
import io.pushbase.web.resources.ReceiptsResource;
import io.pushbase.web.view.ClusterView;
import io.pushbase.web.view.DeliveryReceipts;
import io.pushbase.web.view.KeyInspector;
import io.pushbase.web.view.Presence;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import java.util.Optional;
import java.util.stream.Collectors;
import org.glassfish.jersey.servlet.ServletContainer;
import org.glassfish.jersey.servlet.ServletProperties;

/**
 * The web node: gopush-cluster's external HTTP API on the application port (node lookup, offline
 * pull, time id) and its admin API on the admin port (push, multi-key push, delete, tokens, cluster
 * view, key inspector, presence, console), beside Dropwizard's metrics and health checks.
 * Stateless; any number run behind a load balancer. Wires and does nothing else. Run: {@code
 * WebApplication server web.yml}.
 *
 * <p>Start order (stop is the reverse): ZooKeeper session; live views of message nodes, comets and
 * web nodes; the message-node client; comet channels; Jetty; then this node's registration. The
 * admin API is a second Jersey application mounted on the admin context under {@code /1/admin/*}
 * and {@code /admin/*}, except the push routes, which a plain servlet filter serves ahead of it
 * ({@link AdminPushRoutes}: Jersey's per-request cost on the hottest route); the routes clients
 * call on the external port (lookup, time, pulls) likewise ({@link ClientRoutes}).
 */
public final class WebApplication extends Application<WebConfiguration> {
    private final NodeHost host;

    /** The node in a process of its own. */
    public WebApplication() {
        this(NodeHost.alone());
    }

    /** The node in a process that hosts it with others ({@code standalone}). */
    public WebApplication(NodeHost host) {
        this.host = host;
    }

    public static void main(String[] args) throws Exception {
        new WebApplication().run(args);
    }

    @Override
    public String getName() {
        return "pushbase-web";
    }

    @Override
    public void initialize(Bootstrap<WebConfiguration> bootstrap) {
        host.initialize(bootstrap);
    }

    @Override
    public void run(WebConfiguration config, Environment env) throws Exception {
        host.attach(env);
        MetricRegistry metrics = env.metrics();
        ZkPaths paths = config.getZookeeper().paths();

        CuratorLifecycle curator = config.getZookeeper().build();
        env.lifecycle().manage(curator);
        LiveNodes messageNodes = config.liveNodes(curator.client(), ZkPaths.SERVICE_MESSAGE);
        LiveNodes cometNodes = config.liveNodes(curator.client(), ZkPaths.SERVICE_COMET);
        LiveNodes webNodes = config.liveNodes(curator.client(), ZkPaths.SERVICE_WEB);
        CometDirectory directory = new CometDirectory(cometNodes);
        CometChannels channels = new CometChannels(host.transport());
        directory.addListener(
                () ->
                        channels.retain(
                                directory.instances().stream()
                                        .flatMap(n -> n.address("grpc").stream())
                                        .collect(Collectors.toSet())));
        env.lifecycle().manage(messageNodes);
        env.lifecycle().manage(cometNodes);
        env.lifecycle().manage(webNodes);
        MessageNodeClient messages =
                config.getMessageNodes().build(messageNodes, metrics, host.transport());
        env.lifecycle().manage(messages);
        // Pushes this node stores itself (comet unreachable) go through the batcher when enabled.
        MessageLog appends =
                config.getMessageNodes().buildLog(messages, metrics, env.lifecycle()::manage);
        env.lifecycle().manage(channels);

        CometClient comets =
                new CometClient(
                        channels,
                        config.getComets().getPushTimeout().toMilliseconds(),
                        config.getComets().getControlTimeout().toMilliseconds());
        MidClock clock = MidClock.system();
        ApiConfiguration api = config.getApi();
        PushRouter router =
                new PushRouter(
                        directory,
                        comets,
                        new KeyAppender(appends, clock, metrics.meter("web.push.conflicts")),
                        messages::delete,
                        api.getIdempotencyWindow().toSeconds(),
                        metrics);
        Optional<TokenVerifier> tokens = config.getAuth().buildVerifier();
        // (Pushbase, issue 14) Room pushes go to the room's owner on the ring, which stores and
        // sends them to every comet; when it cannot, this node does both.
        RoomRouter rooms =
                new RoomRouter(
                        directory,
                        comets,
                        KeyAppender.forRooms(
                                appends, clock, metrics.meter("web.room.push.conflicts")),
                        () ->
                                directory.instances().stream()
                                        .flatMap(n -> n.address("grpc").stream())
                                        .collect(Collectors.toSet()),
                        api.getIdempotencyWindow().toSeconds(),
                        metrics);

        env.jersey().register(new GetOnlyFilter());
        env.jersey().register(new MethodNotAllowedMapper());
        // What clients call (lookup, time, pulls), as the admin pushes below: a plain filter on
        // their exact paths, ahead of Jersey.
        env.servlets()
                .addFilter(
                        "client",
                        new ClientRoutes(
                                directory,
                                clock,
                                messages,
                                tokens,
                                api.getMaxPullMessages(),
                                metrics))
                .addMappingForUrlPatterns(
                        EnumSet.of(DispatcherType.REQUEST), true, ClientRoutes.PATHS);
        env.jersey().register(new DemoResource());
        env.jersey().register(new ClientScriptResource());

        AdminSecret secret = new AdminSecret(api.getAdminSecret());
        // The push routes first, as a plain filter on their exact paths: ahead of Jersey.
        env.admin()
                .addFilter(
                        "admin-push",
                        new AdminPushRoutes(
                                router,
                                rooms,
                                new PushAdmission(api.getMaxPushesInFlight(), metrics),
                                secret,
                                (int) api.getMaxBodySize().toBytes(),
                                api.getMaxKeysPerPush(),
                                metrics))
                .addMappingForUrlPatterns(
                        EnumSet.of(DispatcherType.REQUEST), true, AdminPushRoutes.PATHS);
        DropwizardResourceConfig admin = new DropwizardResourceConfig(metrics);
        if (!api.getAdminSecret().isEmpty()) {
            admin.register(new AdminSecretFilter(secret));
        }
        admin.register(new MethodNotAllowedMapper());
        admin.register(new ConsoleResource());
        admin.register(new AdminMessageResource(router, metrics));
        admin.register(
                new AdminKeyResource(
                        new KeyInspector(directory, comets, messages, api.getMaxPullMessages()),
                        env.getObjectMapper(),
                        metrics));
        admin.register(
                new AdminTokenResource(
                        config.getAuth().buildIssuer(),
                        java.time.Duration.ofMillis(api.getDefaultTokenTtl().toMilliseconds()),
                        java.time.Duration.ofMillis(api.getMaxTokenTtl().toMilliseconds()),
                        metrics));
        CometElections elections = new CometElections(curator.client(), paths);
        admin.register(
                new NodesResource(
                        new ClusterView(
                                elections, directory, messageNodes, webNodes, comets, messages),
                        env.getObjectMapper(),
                        metrics));
        admin.register(
                new PresenceResource(
                        new Presence(
                                directory,
                                elections,
                                comets,
                                config.getComets().getPresenceTimeout().toMilliseconds(),
                                metrics),
                        env.getObjectMapper(),
                        metrics));
        admin.register(
                new ReceiptsResource(
                        new DeliveryReceipts(messages), env.getObjectMapper(), metrics));
        // Mounted as a filter on the whole admin context so its routes keep their full paths;
        // what it does not match (/metrics, /healthcheck, ...) falls through to Dropwizard.
        admin.property(ServletProperties.FILTER_FORWARD_ON_404, true);
        env.admin()
                .addFilter("admin-api", new ServletContainer(admin))
                .addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");

        WebRegistration registration =
                new WebRegistration(
                        curator.client(), paths, config.getNodeName(), config.getAdvertiseHost());
        env.lifecycle().addServerLifecycleListener(registration);
        env.lifecycle().manage(registration);

        env.healthChecks()
                .register("zookeeper", new ZooKeeperHealthCheck(curator.client(), paths.root()));
        env.healthChecks().register("messageNodes", new MessageNodesHealthCheck(messages));
        env.healthChecks().register("comets", new CometsHealthCheck(directory));
        PrometheusEndpoint.install(env, "web", config.getNodeName());
    }
}
