package io.pushbase.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The operator files in {@code ops/} read as their tools read them: the dashboard's and rules'
 * expressions yield metric names (that {@code StandaloneIT} then finds in every node's scrape), and
 * Prometheus's own {@code promtool} accepts the rules and the example configuration. promtool comes
 * from Debian's {@code prometheus} package, which {@code .ci/run} installs: on CI its absence fails
 * the test; elsewhere it skips the promtool part only.
 */
class OpsFilesTest {

    @Test
    void metricNamesAreWhatRemainsOfAnExpressionOnceEverythingElseIsTakenOut() {
        assertThat(
                        OpsFiles.metricNames(
                                "sum by (node_name, op) (rate(pushbase_store_failures_total"
                                        + "{op=~\"append|appendMany\"}[5m])) + on() group_left"
                                        + " max(jvm_memory_heap_used offset 5m) / 1000 > 0.5"
                                        + " and count without (x) (up) < bool 2"))
                .containsExactlyInAnyOrder(
                        "pushbase_store_failures_total", "jvm_memory_heap_used", "up");
        assertThat(
                        OpsFiles.metricNames(
                                "rate(a_total[$__rate_interval]) or histogram_quantile(0.99, b)"))
                .containsExactlyInAnyOrder("a_total", "b");
    }

    @Test
    void theDashboardAndTheRulesReferOnlyToPushbaseAndJvmSeries() throws Exception {
        List<String> dashboard = OpsFiles.dashboardExpressions();
        List<String> alerts = OpsFiles.alertExpressions();
        assertThat(dashboard).hasSizeGreaterThan(10).allSatisfy(e -> assertThat(e).isNotBlank());
        assertThat(alerts)
                .hasSizeGreaterThanOrEqualTo(5)
                .allSatisfy(e -> assertThat(e).isNotBlank());
        assertNamesMatch(
                OpsFiles.metricNames(dashboard),
                "(pushbase|jvm)_[a-z0-9_]+",
                "pushbase_web_route_requests_total",
                "pushbase_comet_deliveries",
                "pushbase_comet_push_seconds",
                "pushbase_append_batch_size",
                "pushbase_comet_open_connections",
                "pushbase_comet_closed",
                "pushbase_message_client_failures_total",
                "pushbase_message_client_retries_total",
                "pushbase_store_call_seconds",
                "jvm_memory_heap_used",
                "jvm_gc_collection_milliseconds");
        assertNamesMatch(
                OpsFiles.metricNames(alerts),
                "pushbase_[a-z0-9_]+",
                "pushbase_message_client_live_nodes",
                "pushbase_store_failures_total",
                "pushbase_comet_leader",
                "pushbase_web_push_fallback_total",
                "pushbase_comet_push_seconds");
    }

    @Test
    void promtoolAcceptsTheRulesAndTheExampleConfiguration() throws Exception {
        boolean onCi = "true".equals(System.getenv("CI"));
        boolean present = promtool() != null;
        if (onCi) {
            assertThat(present).as("promtool on CI (.ci/run installs prometheus)").isTrue();
        }
        assumeTrue(present, "promtool not installed (apt-get install prometheus)");
        assertThat(run("check", "rules", OpsFiles.ALERTS.toString())).contains("SUCCESS");
        assertThat(run("check", "config", OpsFiles.PROMETHEUS.toString()))
                .contains("is valid prometheus config file syntax");
    }

    private static void assertNamesMatch(
            java.util.Set<String> names, String pattern, String... including) {
        assertThat(names).allSatisfy(n -> assertThat(n).matches(pattern)).contains(including);
    }

    private static Path promtool() {
        return Stream.of(System.getenv("PATH").split(File.pathSeparator))
                .map(d -> Path.of(d, "promtool"))
                .filter(Files::isExecutable)
                .findFirst()
                .orElse(null);
    }

    /** promtool's output; fails the test unless it exits 0. */
    private static String run(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(promtool().toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }
}
