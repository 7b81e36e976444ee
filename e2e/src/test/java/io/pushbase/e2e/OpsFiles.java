package io.pushbase.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operator files in {@code ops/}: the Grafana dashboard's and the alert rules' PromQL
 * expressions, and the metric names each refers to, so tests can check that every one of them is
 * served by the nodes. Stateless.
 */
final class OpsFiles {
    static final Path OPS = Path.of(System.getProperty("pushbase.ops", "../ops"));
    static final Path DASHBOARD = OPS.resolve("grafana/pushbase.json");
    static final Path ALERTS = OPS.resolve("prometheus/alerts.yml");
    static final Path PROMETHEUS = OPS.resolve("prometheus/prometheus.yml");

    /** PromQL words that look like a metric name but are not. */
    private static final Set<String> KEYWORDS =
            Set.of(
                    "and",
                    "or",
                    "unless",
                    "by",
                    "without",
                    "on",
                    "ignoring",
                    "group_left",
                    "group_right",
                    "offset",
                    "bool",
                    "inf",
                    "nan");

    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    private static final Pattern GROUPING =
            Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER =
            Pattern.compile("(?<![\\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\\w(])(?!\\s*\\()");

    private OpsFiles() {}

    /** Every {@code expr} of every panel target of the dashboard. */
    static List<String> dashboardExpressions() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> exprs = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                exprs.add(target.path("expr").asText());
            }
        }
        return exprs;
    }

    /**
     * The example Prometheus configuration's targets: each {@code labels.role} of a static config
     * of the {@code pushbase} job, mapped to the port of its one {@code host:port} target.
     */
    static java.util.Map<String, Integer> prometheusTargetPorts() throws IOException {
        JsonNode config = new ObjectMapper(new YAMLFactory()).readTree(PROMETHEUS.toFile());
        java.util.Map<String, Integer> ports = new java.util.TreeMap<>();
        for (JsonNode job : config.path("scrape_configs")) {
            for (JsonNode staticConfig : job.path("static_configs")) {
                String target = staticConfig.path("targets").path(0).asText();
                ports.put(
                        staticConfig.path("labels").path("role").asText(),
                        Integer.parseInt(target.substring(target.lastIndexOf(':') + 1)));
            }
        }
        return ports;
    }

    /** Every {@code expr} of every rule of every group of the alert rules. */
    static List<String> alertExpressions() throws IOException {
        JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(ALERTS.toFile());
        List<String> exprs = new ArrayList<>();
        for (JsonNode group : rules.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                exprs.add(rule.path("expr").asText());
            }
        }
        return exprs;
    }

    /**
     * The metric names an expression selects: what remains once strings, label matchers, ranges,
     * grouping clauses, function calls, keywords and numbers are taken out.
     */
    static Set<String> metricNames(String expr) {
        String rest = STRING.matcher(expr).replaceAll(" ");
        rest = MATCHERS.matcher(rest).replaceAll(" ");
        rest = RANGE.matcher(rest).replaceAll(" ");
        rest = GROUPING.matcher(rest).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(rest);
        while (m.find()) {
            String word = m.group(1);
            if (!KEYWORDS.contains(word.toLowerCase(java.util.Locale.ROOT))) {
                names.add(word);
            }
        }
        return names;
    }

    /** The metric names of all of {@code exprs}. */
    static Set<String> metricNames(List<String> exprs) {
        Set<String> names = new TreeSet<>();
        exprs.forEach(e -> names.addAll(metricNames(e)));
        return names;
    }
}
