package io.pushbase.web.view;

import io.pushbase.cluster.NodeDetails;
import io.pushbase.cluster.discovery.LiveNodes;
import io.pushbase.cluster.message.MessageNodeClient;
import io.pushbase.schema.comet.v1.CometPingReply;
import io.pushbase.schema.comet.v1.CometTraffic;
import io.pushbase.schema.health.v1.HealthReply;
import io.pushbase.web.comet.CometClient;
import io.pushbase.web.comet.CometDirectory;
import io.pushbase.web.comet.CometElections;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.curator.x.discovery.ServiceInstance;

/**
 * The cluster as an operator sees it: every comet process (leaders and standbys, from the leader
 * elections in ZooKeeper) with its role, connection count and push traffic as the comet itself
 * reports them (a gRPC ping), its weight and addresses when it is on the ring; every message node;
 * every web node. Each comet process and message node also comes with its own health checks, as it
 * answers them over gRPC ({@code Health}, within {@link #HEALTH_DEADLINE_MILLIS}), so their admin
 * ports need not be reachable from here.
 *
 * <p>Reads ZooKeeper, pings comets and asks every comet and message node for its checks on each
 * call (all at once): it is for the admin port, not for clients. Thread-safe. A comet that does not
 * answer its ping is listed with role {@code unreachable}; a node that does not answer {@code
 * Health} has no checks but the problem {@code did not answer: <gRPC status>}.
 */
public final class ClusterView {
    private final CometElections elections;
    private final CometDirectory comets;
    private final LiveNodes messages;
    private final LiveNodes webs;
    private final CometClient cometClient;
    private final MessageNodeClient messageClient;

    /**
     * How long the view waits for each node's {@code Health} answer: the console reads the view
     * every 2 s. A node answers before this deadline with what its checks have by then (see {@code
     * cluster.health.NodeHealth}).
     */
    public static final long HEALTH_DEADLINE_MILLIS = 1_000;

    public ClusterView(
            CometElections elections,
            CometDirectory comets,
            LiveNodes messages,
            LiveNodes webs,
            CometClient cometClient,
            MessageNodeClient messageClient) {
        this.elections = elections;
        this.comets = comets;
        this.messages = messages;
        this.webs = webs;
        this.cometClient = cometClient;
        this.messageClient = messageClient;
    }

    /**
     * One comet process; {@code connections} and {@code traffic} are null when unreachable (its
     * health answers on its own).
     */
    public record CometProcess(
            String nodeName,
            String id,
            String role,
            boolean elected,
            boolean onRing,
            Integer weight,
            Map<String, String> addresses,
            Integer connections,
            Traffic traffic,
            Health health) {}

    /**
     * A node's own health checks as it answered them (sorted by name), {@code problem} null; or,
     * when it did not answer, {@code checks} null and {@code problem} {@code did not answer: <gRPC
     * status>[: <description>]}.
     */
    public record Health(List<Check> checks, String problem) {
        static Health of(HealthReply reply) {
            return new Health(
                    reply.getChecksList().stream()
                            .map(c -> new Check(c.getName(), c.getHealthy(), c.getMessage()))
                            .toList(),
                    null);
        }

        static Health notAnswered(Throwable failure) {
            return new Health(null, "did not answer: " + NoAnswer.of(failure).problem());
        }
    }

    /** One health check: its name, whether it passed, and what it said (the reason if not). */
    public record Check(String name, boolean healthy, String message) {}

    /**
     * A comet's push traffic as its ping reported it (comet.proto {@code CometTraffic}): counts
     * since the comet started, quantiles over its recent samples (0 before the first).
     */
    public record Traffic(
            long pushesAcknowledged,
            long deliveries,
            double pushP50Seconds,
            double pushP99Seconds,
            double appendBatchP50,
            double appendBatchP99,
            long appendBatches) {
        static Traffic of(CometTraffic t) {
            return new Traffic(
                    t.getPushesAcknowledged(),
                    t.getDeliveries(),
                    t.getPushP50Seconds(),
                    t.getPushP99Seconds(),
                    t.getAppendBatchP50(),
                    t.getAppendBatchP99(),
                    t.getAppendBatches());
        }
    }

    /** One web node as registered. */
    public record Node(String nodeName, String id, int weight, Map<String, String> addresses) {}

    /** One message node as registered, with its health checks. */
    public record MessageNode(
            String nodeName, String id, int weight, Map<String, String> addresses, Health health) {}

    /** The whole view. */
    public record Snapshot(
            List<CometProcess> comets, List<MessageNode> messages, List<Node> webs) {}

    public CompletableFuture<Snapshot> snapshot() throws Exception {
        Map<String, CometDirectory.CometNode> onRing = new LinkedHashMap<>();
        for (CometDirectory.CometNode node : comets.nodes()) {
            onRing.put(node.instanceId(), node);
        }
        List<CompletableFuture<CometProcess>> processes = new ArrayList<>();
        for (Map.Entry<String, List<String>> election : elections.read().entrySet()) {
            List<String> participants = election.getValue();
            for (int i = 0; i < participants.size(); i++) {
                processes.add(
                        describe(
                                election.getKey(),
                                participants.get(i),
                                i == 0,
                                onRing.get(participants.get(i))));
            }
        }
        List<CompletableFuture<MessageNode>> messageNodes = new ArrayList<>();
        for (Node node : nodes(messages)) {
            messageNodes.add(
                    health(messageClient.health(node.id(), HEALTH_DEADLINE_MILLIS))
                            .thenApply(
                                    health ->
                                            new MessageNode(
                                                    node.nodeName(),
                                                    node.id(),
                                                    node.weight(),
                                                    node.addresses(),
                                                    health)));
        }
        List<CompletableFuture<?>> all = new ArrayList<>(processes);
        all.addAll(messageNodes);
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                .thenApply(
                        done ->
                                new Snapshot(
                                        processes.stream().map(CompletableFuture::join).toList(),
                                        messageNodes.stream().map(CompletableFuture::join).toList(),
                                        nodes(webs)));
    }

    private CompletableFuture<CometProcess> describe(
            String nodeName, String id, boolean elected, CometDirectory.CometNode ring) {
        Integer weight = ring == null ? null : ring.details().getWeight();
        Map<String, String> addresses = ring == null ? Map.of() : ring.details().getAddresses();
        CompletableFuture<Health> health = health(cometClient.health(id, HEALTH_DEADLINE_MILLIS));
        return cometClient
                .ping(id)
                .handle((CometPingReply ping, Throwable err) -> err == null ? ping : null)
                .thenCombine(
                        health,
                        (ping, checks) ->
                                new CometProcess(
                                        nodeName,
                                        id,
                                        ping != null ? ping.getRole() : "unreachable",
                                        elected,
                                        ring != null,
                                        weight,
                                        addresses,
                                        ping != null ? ping.getConnections() : null,
                                        ping != null ? Traffic.of(ping.getTraffic()) : null,
                                        checks));
    }

    /** A node's {@code Health} answer, or what kept it from answering; never fails. */
    private static CompletableFuture<Health> health(CompletableFuture<HealthReply> answer) {
        return answer.handle(
                (reply, err) -> err == null ? Health.of(reply) : Health.notAnswered(err));
    }

    private static List<Node> nodes(LiveNodes live) {
        List<Node> nodes = new ArrayList<>();
        for (ServiceInstance<NodeDetails> instance : live.instances()) {
            NodeDetails d = instance.getPayload();
            nodes.add(
                    d == null
                            ? new Node("", instance.getId(), 0, Map.of())
                            : new Node(
                                    d.getNodeName(),
                                    instance.getId(),
                                    d.getWeight(),
                                    d.getAddresses()));
        }
        return nodes;
    }
}
