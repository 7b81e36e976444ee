package io.pushbase.comet.app;

import com.codahale.metrics.MetricRegistry;
import io.dropwizard.core.Application;
import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.core.setup.Environment;
import io.netty.buffer.PooledByteBufAllocator;
import io.pushbase.cluster.CuratorLifecycle;
import io.pushbase.cluster.NodeDetails;
import io.pushbase.cluster.ZooKeeperHealthCheck;
import io.pushbase.cluster.app.NodeHost;
import io.pushbase.cluster.app.PrometheusEndpoint;
import io.pushbase.cluster.discovery.LiveNodes;
import io.pushbase.cluster.grpc.GrpcConfiguration;
import io.pushbase.cluster.grpc.GrpcTransport;
import io.pushbase.cluster.health.NodeHealth;
import io.pushbase.cluster.message.MessageLog;
import io.pushbase.cluster.message.MessageNodeClient;
import io.pushbase.cluster.message.MessageNodesHealthCheck;
import io.pushbase.comet.ack.Acks;
import io.pushbase.comet.channel.KeyChannels;
import io.pushbase.comet.cluster.CometLeadership;
import io.pushbase.comet.cluster.CometRoleHealthCheck;
import io.pushbase.comet.cluster.PeerComets;
import io.pushbase.comet.cluster.RingOwnership;
import io.pushbase.comet.connection.ConnectionSettings;
import io.pushbase.comet.grpc.CometGrpcService;
import io.pushbase.comet.push.PushPipeline;
import io.pushbase.comet.push.RoomPipeline;
import io.pushbase.comet.replay.DeviceCursors;
import io.pushbase.comet.replay.Replayer;
import io.pushbase.comet.room.RoomFanout;
import io.pushbase.comet.room.RoomIndex;
import io.pushbase.comet.room.RoomJoins;
import io.pushbase.comet.room.RoomMetrics;
import io.pushbase.comet.room.RoomSettings;
import io.pushbase.comet.server.CometServersConfiguration;
import io.pushbase.comet.server.EventLoops;
import io.pushbase.comet.stat.CometTrafficReader;
import io.pushbase.comet.stat.StatServlet;
import io.pushbase.comet.subscription.CometGate;
import io.pushbase.schema.ZkPaths;
import io.pushbase.schema.client.MidClock;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The comet node: holds the clients' TCP and WebSocket connections of the keys it owns on the ring,
 * serves {@code CometService} to web nodes, and appends every push through the message nodes before
 * delivering it. Wires and does nothing else. Run: {@code CometApplication server comet.yml}.
 *
 * <p>Start order (stop is the reverse): ZooKeeper session; live views of message nodes and comets;
 * the message-node client and its append batcher (if enabled); event loops, TCP and WebSocket
 * listeners, gRPC server; the leader election (which registers this comet in discovery only while
 * it leads, so peers only ever see a listening comet); ring ownership last. On stop, ring ownership
 * and leadership go first: the comet leaves the ring and discovery before its listeners close.
 */
public final class CometApplication extends Application<CometConfiguration> {
    private final NodeHost host;

    /** The node in a process of its own. */
    public CometApplication() {
        this(NodeHost.alone());
    }

    /** The node in a process that hosts it with others ({@code standalone}). */
    public CometApplication(NodeHost host) {
        this.host = host;
    }

    public static void main(String[] args) throws Exception {
        new CometApplication().run(args);
    }

    @Override
    public String getName() {
        return "pushbase-comet";
    }

    @Override
    public void initialize(Bootstrap<CometConfiguration> bootstrap) {
        host.initialize(bootstrap);
    }

    @Override
    public void run(CometConfiguration config, Environment env) throws Exception {
        host.attach(env);
        MetricRegistry metrics = env.metrics();
        ZkPaths paths = config.getZookeeper().paths();

        CuratorLifecycle curator = config.getZookeeper().build();
        env.lifecycle().manage(curator);
        LiveNodes messageNodes = config.liveNodes(curator.client(), ZkPaths.SERVICE_MESSAGE);
        env.lifecycle().manage(messageNodes);
        MessageNodeClient messageClient =
                config.getMessageNodes().build(messageNodes, metrics, host.transport());
        env.lifecycle().manage(messageClient);
        // Managed after the client, so it stops (flushing what waits) before the client does.
        MessageLog appends =
                config.getMessageNodes().buildLog(messageClient, metrics, env.lifecycle()::manage);
        LiveNodes comets = config.liveNodes(curator.client(), ZkPaths.SERVICE_COMET);
        env.lifecycle().manage(comets);

        String nodeName = config.getNodeName();
        CometServersConfiguration clients = config.getClients();
        GrpcConfiguration grpc = config.getGrpc();
        String advertiseHost = grpc.resolveAdvertiseHost();
        NodeDetails details =
                new NodeDetails(
                        nodeName,
                        grpc.getWeight(),
                        Map.of(
                                "tcp", advertiseHost + ":" + clients.getTcp().getPort(),
                                "ws", advertiseHost + ":" + clients.getWs().getPort(),
                                "grpc", advertiseHost + ":" + grpc.getPort()));
        CometLeadership leadership =
                new CometLeadership(
                        curator.client(), paths, advertiseHost, grpc.getPort(), details);
        KeyChannels channels = clients.buildKeyChannels(metrics);
        RingOwnership ring = new RingOwnership(leadership, comets, channels, metrics);

        PushConfiguration push = config.getPush();
        PushPipeline pushes =
                new PushPipeline(
                        channels,
                        appends,
                        MidClock.system(),
                        ring::owns,
                        (int) push.getMaxPayloadSize().toBytes(),
                        push.getMaxQueuedPerKey(),
                        push.getMaxInFlight(),
                        metrics);
        CometGate gate =
                new CometGate(config.getAuth().buildVerifier(), ring::owns, channels, metrics);

        EventLoops loops = clients.buildEventLoops();
        env.lifecycle().manage(loops);
        ConnectionSettings settings = clients.buildConnectionSettings();
        // Resumes read stored messages (and, from a device, its cursor) through the same
        // message-node client as pushes, with its deadlines and retries.
        Replayer replayer =
                clients.buildReplayer(
                        messageClient::fetchWithFloor,
                        DeviceCursors.of(messageClient::cursors),
                        metrics);
        // (Pushbase) Acknowledgements go to the message nodes' cursors through the same client;
        // managed after it, so the batcher stops (sending what waits) before the client does.
        Acks acks =
                clients.getAcks()
                        .build(
                                messageClient::ackMany,
                                gate::check,
                                metrics,
                                env.lifecycle()::manage);
        // (Pushbase, issue 14) Rooms: members of any room on any comet; a room's pushes go through
        // its owner on the ring, which appends them to the room's log and sends them to the
        // other comets. A room's resume is the key replay over the room's log.
        RoomSettings roomSettings = clients.getRooms().build();
        RoomIndex roomIndex = new RoomIndex(roomSettings.maxMembersPerRoom(), metrics);
        RoomMetrics roomMetrics = new RoomMetrics(metrics);
        RoomJoins roomJoins =
                new RoomJoins(
                        roomSettings,
                        roomIndex,
                        config.getAuth().buildVerifier(),
                        replayer.withHistory(messageClient::fetchRoomWithFloor),
                        roomMetrics);
        PeerComets peers =
                new PeerComets(
                        comets,
                        nodeName,
                        host.transport(),
                        push.getRoomPeerTimeout().toMilliseconds(),
                        push.getMaxQueuedPerRoomPeer(),
                        metrics);
        env.lifecycle().manage(peers);
        RoomPipeline roomPushes =
                new RoomPipeline(
                        new RoomFanout(
                                roomIndex,
                                roomMetrics,
                                PooledByteBufAllocator.DEFAULT,
                                channels::all,
                                push.getMaxQueuedBroadcasts()),
                        peers,
                        appends,
                        MidClock.system(),
                        ring::owns,
                        (int) push.getMaxPayloadSize().toBytes(),
                        push.getMaxQueuedPerKey(),
                        push.getMaxInFlight(),
                        metrics);
        env.lifecycle()
                .manage(
                        clients.buildTcpServer(
                                loops, settings, gate, replayer, roomJoins, metrics, acks));
        env.lifecycle()
                .manage(
                        clients.buildWebSocketServer(
                                loops, settings, gate, replayer, roomJoins, metrics, acks));
        NodeHealth health = new NodeHealth(env.healthChecks());
        env.lifecycle().manage(health);
        CometGrpcService service =
                new CometGrpcService(
                        pushes,
                        channels,
                        nodeName,
                        () -> leadership.role().name().toLowerCase(Locale.ROOT),
                        new CometTrafficReader(metrics),
                        health,
                        roomPushes,
                        roomIndex);
        env.lifecycle()
                .manage(
                        host.transport()
                                .server(
                                        GrpcTransport.serverOn(
                                                new InetSocketAddress(
                                                        grpc.getBindHost(), grpc.getPort())),
                                        advertiseHost + ":" + grpc.getPort(),
                                        grpc.getDrainTimeout().toMilliseconds(),
                                        List.of(service.bindService())));
        env.lifecycle().manage(leadership);
        env.lifecycle().manage(ring);

        env.admin()
                .addServlet("stat", new StatServlet(nodeName, channels, metrics))
                .addMapping("/stat");
        // 1 while this comet leads its node name, else 0: a pair shows two series, one at 1.
        metrics.gauge(
                "comet.leader",
                () -> () -> leadership.role() == CometLeadership.Role.LEADER ? 1 : 0);
        PrometheusEndpoint.install(env, "comet", nodeName);
        env.healthChecks()
                .register("zookeeper", new ZooKeeperHealthCheck(curator.client(), paths.root()));
        env.healthChecks().register("messageNodes", new MessageNodesHealthCheck(messageClient));
        env.healthChecks().register("role", new CometRoleHealthCheck(leadership, ring, nodeName));
    }
}
