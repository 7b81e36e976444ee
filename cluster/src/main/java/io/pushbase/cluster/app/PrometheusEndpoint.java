package io.pushbase.cluster.app;

import com.codahale.metrics.MetricRegistry;
import io.dropwizard.core.setup.Environment;
import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.dropwizard.DropwizardExports;
import io.prometheus.client.dropwizard.samplebuilder.CustomMappingSampleBuilder;
import io.prometheus.client.dropwizard.samplebuilder.MapperConfig;
import io.prometheus.client.servlet.jakarta.exporter.MetricsServlet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node's Dropwizard metrics in the Prometheus text exposition format, at {@value #PATH} on its
 * admin port, through the Prometheus client's Dropwizard bridge ({@code simpleclient_dropwizard}:
 * docs/DEPENDENCIES.md says why that line of the client). Every node application calls {@link
 * #install} once with its own {@link Environment}, so nodes hosted in one JVM ({@code standalone})
 * each serve their own registry on their own port.
 *
 * <p>Names: every Pushbase metric is renamed to {@code pushbase_<area>_<what>} by the bridge's
 * mapping rules ({@link #MAPPINGS}, the first matching rule wins); a part of a Dropwizard name that
 * says which route, operation, protocol, outcome or failure kind becomes a label, so for example
 * {@code web.route.admin.push.private.ret.0} is {@code
 * pushbase_web_route_requests_total{route="admin.push.private",ret="0"}}. Dropwizard's own metrics
 * (JVM, Jetty, logback, Jersey) keep the bridge's default names ({@code jvm_memory_heap_used}),
 * except the garbage collectors, whose name becomes the label {@code gc}. Every series carries the
 * labels {@value #NODE_KIND} ({@code message}, {@code comet} or {@code web}) and {@value
 * #NODE_NAME} (the node's name; a comet pair's leader and standby share theirs, Prometheus's {@code
 * instance} tells them apart). The bridge's types: Dropwizard meters are counters ({@code _total}),
 * timers and histograms summaries (quantiles 0.5 … 0.999 and {@code _count}; timers in seconds),
 * counters and gauges gauges. docs/OPERATIONS.md lists the families.
 *
 * <p>Stateless; the servlet reads the registry at each scrape (thread-safe, as the registry is).
 */
public final class PrometheusEndpoint {
    /** Where on the admin port. */
    public static final String PATH = "/metrics/prometheus";

    /** Label of every series: the node kind. */
    public static final String NODE_KIND = "node_kind";

    /** Label of every series: the node's name. */
    public static final String NODE_NAME = "node_name";

    /**
     * The mapping rules, in order: Dropwizard name glob ({@code *} = one dot-free segment), then
     * the Prometheus name, then label name and value pairs ({@code ${n}} = the n-th {@code *}).
     */
    static final List<MapperConfig> MAPPINGS =
            List.of(
                    // web: routes (names of 2 or 3 segments), pushes, deletes
                    map(
                            "web.route.*.*.*.ret.*",
                            "pushbase_web_route_requests",
                            "route",
                            "${0}.${1}.${2}",
                            "ret",
                            "${3}"),
                    map(
                            "web.route.*.*.ret.*",
                            "pushbase_web_route_requests",
                            "route",
                            "${0}.${1}",
                            "ret",
                            "${2}"),
                    map("web.route.*.*.*", "pushbase_web_route_seconds", "route", "${0}.${1}.${2}"),
                    map("web.route.*.*", "pushbase_web_route_seconds", "route", "${0}.${1}"),
                    map("web.push.inFlight", "pushbase_web_push_in_flight"),
                    map("web.push.fallback.*", "pushbase_web_push_fallback_${0}"),
                    map("web.push.comet.overloaded", "pushbase_web_push_comet_overloaded"),
                    map("web.push.undelivered.closed", "pushbase_web_push_undelivered_closed"),
                    map(
                            "web.push.undelivered.close.failed",
                            "pushbase_web_push_undelivered_close_failed"),
                    map("web.push.*", "pushbase_web_push_${0}"),
                    map("web.delete.close.failed", "pushbase_web_delete_close_failed"),
                    // web: each HTTP listener's connections and bounds (application, admin, ops)
                    map(
                            "web.http.*.connections",
                            "pushbase_web_http_connections",
                            "listener",
                            "${0}"),
                    map(
                            "web.http.*.headerTimeouts",
                            "pushbase_web_http_header_timeouts",
                            "listener",
                            "${0}"),
                    map(
                            "web.http.*.limitReached",
                            "pushbase_web_http_limit_reached",
                            "listener",
                            "${0}"),
                    map("web.http.*.refused", "pushbase_web_http_refused", "listener", "${0}"),
                    // web: comets that did not answer presence (deadline, unavailable, error)
                    map(
                            "web.presence.unanswered.*",
                            "pushbase_web_presence_unanswered",
                            "reason",
                            "${0}"),
                    // (Pushbase, issue 14) web: room pushes
                    map(
                            "web.room.push.comet.overloaded",
                            "pushbase_web_room_push_comet_overloaded"),
                    map("web.room.push.fallback.*", "pushbase_web_room_push_fallback_${0}"),
                    map(
                            "web.room.push.undelivered.resent",
                            "pushbase_web_room_push_undelivered_resent"),
                    map("web.room.push.*", "pushbase_web_room_push_${0}"),
                    // (Pushbase, issue 14) comet: rooms (memberships, refusals, pushes, fan-out,
                    // the owner's calls to the other comets)
                    map("comet.rooms", "pushbase_comet_rooms"),
                    map("comet.rooms.members", "pushbase_comet_room_members"),
                    map("comet.rooms.refused.*", "pushbase_comet_room_refused", "reason", "${0}"),
                    map("comet.rooms.push", "pushbase_comet_room_push_seconds"),
                    map("comet.rooms.push.*", "pushbase_comet_room_pushes", "outcome", "${0}"),
                    map("comet.rooms.peer.*", "pushbase_comet_room_peer_calls", "result", "${0}"),
                    map("comet.rooms.broadcasts.*", "pushbase_comet_room_broadcasts_${0}"),
                    map("comet.rooms.*", "pushbase_comet_room_${0}"),
                    // comet: pushes, deliveries, connections, refusals, closes
                    map("comet.push", "pushbase_comet_push_seconds"),
                    map("comet.push.conflicts", "pushbase_comet_push_conflicts"),
                    map("comet.push.delivered", "pushbase_comet_deliveries", "result", "delivered"),
                    map(
                            "comet.push.undelivered",
                            "pushbase_comet_deliveries",
                            "result",
                            "undelivered"),
                    map("comet.push.*", "pushbase_comet_pushes", "outcome", "${0}"),
                    // comet: resume on subscribe (meters started, completed, failures, messages;
                    // gauges active, fetching, waiting)
                    map("comet.replay.*", "pushbase_comet_replay_${0}"),
                    // comet: client acknowledgements (Pushbase; refusals at the comet by rule,
                    // the message nodes' answers, the batcher's pairs waiting and batch sizes)
                    map("comet.acks.rejected.*", "pushbase_comet_acks_rejected", "reason", "${0}"),
                    map("comet.acks.pending", "pushbase_comet_acks_pending"),
                    map("comet.acks.batchSize", "pushbase_comet_acks_batch_size"),
                    map("comet.acks.*", "pushbase_comet_acks", "outcome", "${0}"),
                    map("comet.leader", "pushbase_comet_leader"),
                    map("comet.channels", "pushbase_comet_channels"),
                    map("comet.connections", "pushbase_comet_subscribed_connections"),
                    map("comet.channel.full", "pushbase_comet_channel_full"),
                    map("comet.gate.not_owner", "pushbase_comet_gate_not_owner"),
                    map("comet.auth.*", "pushbase_comet_auth_refused", "check", "${0}"),
                    map(
                            "comet.*.connections",
                            "pushbase_comet_open_connections",
                            "protocol",
                            "${0}"),
                    map("comet.*.subscribed", "pushbase_comet_subscribed", "protocol", "${0}"),
                    map(
                            "comet.*.rejected.*",
                            "pushbase_comet_rejected",
                            "protocol",
                            "${0}",
                            "reason",
                            "${1}"),
                    map(
                            "comet.*.closed.*",
                            "pushbase_comet_closed",
                            "protocol",
                            "${0}",
                            "reason",
                            "${1}"),
                    map("comet.*.closed", "pushbase_comet_ownership_closed", "cause", "${0}"),
                    // message node: the store in front of HBase
                    map("store.append.conflicts", "pushbase_store_append_conflicts"),
                    map("store.appendMany.size", "pushbase_store_append_many_size"),
                    map(
                            "store.appendMany.entries.*",
                            "pushbase_store_append_many_entry_failures",
                            "kind",
                            "${0}"),
                    map("store.trim.*", "pushbase_store_trim_${0}"),
                    // a full-page fetch whose key's floor moved under it (found its window again)
                    map("store.fetch.windowMoved", "pushbase_store_fetch_window_moved"),
                    // message node: device cursors (Pushbase): outcomes per ack, acks per call
                    map("store.acks.*", "pushbase_store_acks", "outcome", "${0}"),
                    map("store.ackMany.size", "pushbase_store_ack_many_size"),
                    map("store.*.*", "pushbase_store_failures", "op", "${0}", "kind", "${1}"),
                    map("store.*", "pushbase_store_call_seconds", "op", "${0}"),
                    // comets and web nodes: the message-node client and its append batcher
                    map("messageClient.liveNodes", "pushbase_message_client_live_nodes"),
                    map("messageClient.attempts", "pushbase_message_client_attempts"),
                    map("messageClient.retries", "pushbase_message_client_retries"),
                    map("messageClient.exhausted", "pushbase_message_client_exhausted"),
                    map("messageClient.ejections", "pushbase_message_client_ejections"),
                    map(
                            "messageClient.failures.*",
                            "pushbase_message_client_failures",
                            "code",
                            "${0}"),
                    // a node's instance id is its host:port: a host name or address of 1 to 4
                    // dot-separated parts
                    nodeCalls(4),
                    nodeCalls(3),
                    nodeCalls(2),
                    nodeCalls(1),
                    map("messageClient.*", "pushbase_message_client_call_seconds", "op", "${0}"),
                    map("appendBatcher.batchSize", "pushbase_append_batch_size"),
                    map("appendBatcher.flush", "pushbase_append_batch_flush_seconds"),
                    map("appendBatcher.queueFull", "pushbase_append_batch_queue_full"),
                    map("appendBatcher.entryRetries", "pushbase_append_batch_entry_retries"),
                    // Dropwizard's JVM metrics: the collector's name as a label
                    map("jvm.gc.*.count", "jvm_gc_collections", "gc", "${0}"),
                    map("jvm.gc.*.time", "jvm_gc_collection_milliseconds", "gc", "${0}"));

    private PrometheusEndpoint() {}

    /**
     * Serves {@code env}'s metrics at {@value #PATH} on its admin port, every series labelled with
     * {@code kind} and {@code nodeName}. Called from the application's {@code run}.
     */
    public static void install(Environment env, String kind, String nodeName) {
        env.admin()
                .addServlet(
                        "prometheus", new MetricsServlet(registry(env.metrics(), kind, nodeName)))
                .addMapping(PATH);
    }

    /** A Prometheus registry holding {@code metrics} through the bridge, renamed and labelled. */
    static CollectorRegistry registry(MetricRegistry metrics, String kind, String nodeName) {
        CollectorRegistry registry = new CollectorRegistry();
        new NodeLabels(
                        new DropwizardExports(metrics, new CustomMappingSampleBuilder(MAPPINGS)),
                        kind,
                        nodeName)
                .register(registry);
        return registry;
    }

    /** {@code messageClient.node.<instance id of parts dot-separated parts>.calls}. */
    private static MapperConfig nodeCalls(int parts) {
        List<String> stars = new ArrayList<>();
        List<String> refs = new ArrayList<>();
        for (int i = 0; i < parts; i++) {
            stars.add("*");
            refs.add("${" + i + "}");
        }
        return map(
                "messageClient.node." + String.join(".", stars) + ".calls",
                "pushbase_message_client_node_calls",
                "instance_id",
                String.join(".", refs));
    }

    private static MapperConfig map(String match, String name, String... labels) {
        Map<String, String> byName = new LinkedHashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            byName.put(labels[i], labels[i + 1]);
        }
        return new MapperConfig(match, name, byName);
    }

    /** The bridge's samples with the node's two labels added to each. */
    private static final class NodeLabels extends Collector {
        private final Collector delegate;
        private final String kind;
        private final String nodeName;

        NodeLabels(Collector delegate, String kind, String nodeName) {
            this.delegate = delegate;
            this.kind = kind;
            this.nodeName = nodeName;
        }

        @Override
        public List<MetricFamilySamples> collect() {
            List<MetricFamilySamples> families = delegate.collect();
            List<MetricFamilySamples> labelled = new ArrayList<>(families.size());
            for (MetricFamilySamples family : families) {
                List<MetricFamilySamples.Sample> samples = new ArrayList<>(family.samples.size());
                for (MetricFamilySamples.Sample s : family.samples) {
                    List<String> names = new ArrayList<>(s.labelNames.size() + 2);
                    names.add(NODE_KIND);
                    names.add(NODE_NAME);
                    names.addAll(s.labelNames);
                    List<String> values = new ArrayList<>(s.labelValues.size() + 2);
                    values.add(kind);
                    values.add(nodeName);
                    values.addAll(s.labelValues);
                    samples.add(
                            new MetricFamilySamples.Sample(
                                    s.name, names, values, s.value, s.exemplar, s.timestampMs));
                }
                labelled.add(
                        new MetricFamilySamples(
                                family.name, family.unit, family.type, family.help, samples));
            }
            return labelled;
        }
    }
}
