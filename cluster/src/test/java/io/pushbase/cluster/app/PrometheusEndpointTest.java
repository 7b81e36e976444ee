package io.pushbase.cluster.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PrometheusEndpointTest {

    private static String scrape(MetricRegistry metrics) throws Exception {
        StringWriter out = new StringWriter();
        TextFormat.write004(
                out, PrometheusEndpoint.registry(metrics, "web", "web-1").metricFamilySamples());
        return out.toString();
    }

    /**
     * A sample line as the text format writes it for node web-1: {@code labels} after the node's
     * two, with | for the quotes.
     */
    private static String line(String name, String labels, double value) {
        return name
                + "{node_kind=\"web\",node_name=\"web-1\","
                + labels.replace('|', '"')
                + "} "
                + value;
    }

    @Test
    void routesAndRetCodesBecomeLabelsOfOneFamily() throws Exception {
        MetricRegistry metrics = new MetricRegistry();
        metrics.meter("web.route.admin.push.private.ret.0").mark(3);
        metrics.meter("web.route.admin.push.private.ret.1003").mark();
        metrics.meter("web.route.msg.get.ret.0").mark(2);
        metrics.timer("web.route.admin.push.private").update(2, TimeUnit.MILLISECONDS);
        metrics.timer("web.route.time.get").update(1, TimeUnit.MILLISECONDS);

        String text = scrape(metrics);

        assertThat(text.lines())
                .contains(
                        line(
                                "pushbase_web_route_requests_total",
                                "route=|admin.push.private|,ret=|0|,",
                                3),
                        line(
                                "pushbase_web_route_requests_total",
                                "route=|admin.push.private|,ret=|1003|,",
                                1),
                        line("pushbase_web_route_requests_total", "route=|msg.get|,ret=|0|,", 2),
                        line(
                                "pushbase_web_route_seconds",
                                "route=|admin.push.private|,quantile=|0.99|,",
                                0.002),
                        line("pushbase_web_route_seconds_count", "route=|time.get|,", 1));
        // One TYPE line per family, however many Dropwizard metrics it folds together.
        assertThat(text.lines().filter(l -> l.startsWith("# TYPE pushbase_web_route_requests")))
                .hasSize(1);
    }

    @Test
    void failureKindsProtocolsAndOutcomesAreLabelsNotNames() throws Exception {
        MetricRegistry metrics = new MetricRegistry();
        metrics.meter("store.append.unavailable").mark();
        metrics.timer("store.append").update(5, TimeUnit.MILLISECONDS);
        metrics.meter("store.append.conflicts").mark();
        metrics.counter("comet.ws.closed.slowConsumer").inc();
        metrics.counter("comet.tcp.rejected.auth").inc();
        metrics.register("comet.tcp.connections", (Gauge<Integer>) () -> 7);
        metrics.meter("comet.push.failed").mark();
        metrics.counter("comet.push.delivered").inc(4);
        metrics.meter("messageClient.failures.UNAVAILABLE").mark();
        metrics.timer("messageClient.append").update(1, TimeUnit.MILLISECONDS);
        metrics.counter("store.trim.rows").inc(9);
        metrics.meter("messageClient.node.127.0.0.1:8070.calls").mark(2);
        metrics.meter("messageClient.node.msg1:8070.calls").mark();
        metrics.meter("messageClient.ejections").mark(3);
        metrics.counter("comet.tcp.rejected.since").inc();
        metrics.counter("comet.sse.subscribed").inc(3);
        metrics.meter("comet.replay.messages").mark(5);
        metrics.register("comet.replay.waiting", (Gauge<Integer>) () -> 2);
        metrics.meter("web.presence.unanswered.deadline").mark(2);
        metrics.meter("web.presence.unanswered.unavailable").mark();

        String text = scrape(metrics);

        assertThat(text.lines())
                .contains(
                        line("pushbase_store_failures_total", "op=|append|,kind=|unavailable|,", 1),
                        line("pushbase_store_call_seconds_count", "op=|append|,", 1),
                        line("pushbase_store_append_conflicts_total", "", 1),
                        line("pushbase_comet_closed", "protocol=|ws|,reason=|slowConsumer|,", 1),
                        line("pushbase_comet_rejected", "protocol=|tcp|,reason=|auth|,", 1),
                        line("pushbase_comet_subscribed", "protocol=|sse|,", 3),
                        line("pushbase_comet_open_connections", "protocol=|tcp|,", 7),
                        line("pushbase_comet_pushes_total", "outcome=|failed|,", 1),
                        line("pushbase_comet_deliveries", "result=|delivered|,", 4),
                        line("pushbase_message_client_failures_total", "code=|UNAVAILABLE|,", 1),
                        line("pushbase_message_client_call_seconds_count", "op=|append|,", 1),
                        line("pushbase_store_trim_rows", "", 9),
                        line("pushbase_message_client_ejections_total", "", 3),
                        line("pushbase_comet_rejected", "protocol=|tcp|,reason=|since|,", 1),
                        line("pushbase_comet_replay_messages_total", "", 5),
                        line("pushbase_comet_replay_waiting", "", 2),
                        line("pushbase_web_presence_unanswered_total", "reason=|deadline|,", 2),
                        line("pushbase_web_presence_unanswered_total", "reason=|unavailable|,", 1),
                        line(
                                "pushbase_message_client_node_calls_total",
                                "instance_id=|127.0.0.1:8070|,",
                                2),
                        line(
                                "pushbase_message_client_node_calls_total",
                                "instance_id=|msg1:8070|,",
                                1));
    }

    @Test
    void webListenersAreALabelAndEveryWebPushBroadcastAndFetchRaceMetricIsRenamed()
            throws Exception {
        MetricRegistry metrics = new MetricRegistry();
        metrics.register("web.http.ops.connections", (Gauge<Integer>) () -> 2);
        metrics.meter("web.http.admin.headerTimeouts").mark();
        metrics.meter("web.http.admin.limitReached").mark(3);
        metrics.meter("web.http.application.refused").mark(4);
        metrics.meter("web.push.fallback.found").mark(5);
        metrics.meter("web.push.undelivered.closed").mark(6);
        metrics.meter("web.push.undelivered.close.failed").mark(7);
        metrics.meter("web.room.push.undelivered.resent").mark(8);
        metrics.counter("comet.rooms.broadcasts.queued").inc(9);
        metrics.counter("comet.rooms.broadcasts.refused").inc(10);
        metrics.counter("store.fetch.windowMoved").inc(11);

        String text = scrape(metrics);

        assertThat(text.lines())
                .contains(
                        line("pushbase_web_http_connections", "listener=|ops|,", 2),
                        line("pushbase_web_http_header_timeouts_total", "listener=|admin|,", 1),
                        line("pushbase_web_http_limit_reached_total", "listener=|admin|,", 3),
                        line("pushbase_web_http_refused_total", "listener=|application|,", 4),
                        line("pushbase_web_push_fallback_found_total", "", 5),
                        line("pushbase_web_push_undelivered_closed_total", "", 6),
                        line("pushbase_web_push_undelivered_close_failed_total", "", 7),
                        line("pushbase_web_room_push_undelivered_resent_total", "", 8),
                        line("pushbase_comet_room_broadcasts_queued", "", 9),
                        line("pushbase_comet_room_broadcasts_refused", "", 10),
                        line("pushbase_store_fetch_window_moved", "", 11));
    }

    @Test
    void acknowledgementOutcomesAndRefusalsAreLabelsOfTheirOwnFamilies() throws Exception {
        MetricRegistry metrics = new MetricRegistry();
        metrics.meter("comet.acks.stored").mark(4);
        metrics.meter("comet.acks.coalesced").mark(2);
        metrics.counter("comet.acks.rejected.flood").inc();
        metrics.counter("comet.acks.rejected.key").inc(3);
        metrics.register("comet.acks.pending", (Gauge<Integer>) () -> 6);
        metrics.histogram("comet.acks.batchSize").update(10);
        metrics.meter("store.acks.notIssued").mark();
        metrics.histogram("store.ackMany.size").update(5);
        metrics.meter("store.ackMany.unavailable").mark();
        metrics.timer("store.cursors").update(1, TimeUnit.MILLISECONDS);

        String text = scrape(metrics);

        assertThat(text.lines())
                .contains(
                        line("pushbase_comet_acks_total", "outcome=|stored|,", 4),
                        line("pushbase_comet_acks_total", "outcome=|coalesced|,", 2),
                        line("pushbase_comet_acks_rejected", "reason=|flood|,", 1),
                        line("pushbase_comet_acks_rejected", "reason=|key|,", 3),
                        line("pushbase_comet_acks_pending", "", 6),
                        line("pushbase_comet_acks_batch_size_count", "", 1),
                        line("pushbase_store_acks_total", "outcome=|notIssued|,", 1),
                        line("pushbase_store_ack_many_size_count", "", 1),
                        line(
                                "pushbase_store_failures_total",
                                "op=|ackMany|,kind=|unavailable|,",
                                1),
                        line("pushbase_store_call_seconds_count", "op=|cursors|,", 1));
        // Not taken for a protocol's rejections or closes, nor for a store failure kind.
        assertThat(text).doesNotContain("protocol=\"acks\"").doesNotContain("op=\"acks\"");
    }

    @Test
    void dropwizardsOwnMetricsKeepTheirNamesAndGetTheNodeLabels() throws Exception {
        MetricRegistry metrics = new MetricRegistry();
        metrics.register("jvm.memory.heap.used", (Gauge<Long>) () -> 1024L);
        metrics.register("jvm.gc.G1-Young-Generation.count", (Gauge<Long>) () -> 3L);

        String text = scrape(metrics);

        assertThat(text.lines())
                .contains(
                        line("jvm_memory_heap_used", "", 1024),
                        line("jvm_gc_collections", "gc=|G1-Young-Generation|,", 3));
    }
}
