package io.pushbase.e2e;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format 0.0.4, for checking what the nodes serve
 * (the Prometheus Java client writes the format but has no parser of it). It refuses what
 * Prometheus would refuse: a malformed line, label or value, a {@code # TYPE} after its family's
 * samples or twice, a sample that belongs to no declared family, the same series twice. Stateless.
 */
final class PrometheusText {
    /** One sample line. */
    record Sample(String family, String name, Map<String, String> labels, double value) {}

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Set<String> TYPES =
            Set.of("counter", "gauge", "histogram", "summary", "untyped");
    private static final List<String> SUFFIXES =
            List.of("", "_total", "_count", "_sum", "_bucket", "_created");

    private PrometheusText() {}

    /**
     * The samples of {@code body}, in order; throws {@link IllegalArgumentException} if invalid.
     */
    static List<Sample> parse(String body) {
        Map<String, String> types = new HashMap<>();
        Set<String> familiesWithSamples = new HashSet<>();
        Set<String> series = new HashSet<>();
        List<Sample> samples = new ArrayList<>();
        String current = null;
        int lineNo = 0;
        for (String line : body.split("\n", -1)) {
            lineNo++;
            String where = "line " + lineNo + ": " + line;
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("#")) {
                String[] parts = line.split(" ", 4);
                if (parts.length >= 3 && parts[1].equals("TYPE")) {
                    require(parts.length == 4 && TYPES.contains(parts[3]), "bad TYPE", where);
                    require(NAME.matcher(parts[2]).matches(), "bad family name", where);
                    require(!types.containsKey(parts[2]), "TYPE twice", where);
                    require(!familiesWithSamples.contains(parts[2]), "TYPE after samples", where);
                    types.put(parts[2], parts[3]);
                    current = parts[2];
                } else if (parts.length >= 3 && parts[1].equals("HELP")) {
                    require(NAME.matcher(parts[2]).matches(), "bad family name", where);
                }
                continue;
            }
            Sample sample = sample(line, where, current);
            require(current != null, "sample before any TYPE", where);
            familiesWithSamples.add(current);
            require(series.add(sample.name() + sample.labels()), "the same series twice", where);
            samples.add(sample);
        }
        return samples;
    }

    private static Sample sample(String line, String where, String family) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        require(NAME.matcher(name).matches(), "bad metric name", where);
        require(
                family != null && SUFFIXES.stream().anyMatch(s -> name.equals(family + s)),
                "sample outside its family " + family,
                where);
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                require(eq > i, "bad label", where);
                String label = line.substring(i, eq);
                require(LABEL.matcher(label).matches(), "bad label name", where);
                require(line.charAt(eq + 1) == '"', "label value not quoted", where);
                StringBuilder value = new StringBuilder();
                int j = eq + 2;
                for (; line.charAt(j) != '"'; j++) {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char next = line.charAt(++j);
                        require(next == '\\' || next == '"' || next == 'n', "bad escape", where);
                        value.append(next == 'n' ? '\n' : next);
                    } else {
                        value.append(c);
                    }
                }
                require(labels.put(label, value.toString()) == null, "label twice", where);
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                } else {
                    require(line.charAt(i) == '}', "bad label separator", where);
                }
            }
            i++;
        }
        require(i < line.length() && line.charAt(i) == ' ', "no value", where);
        String[] rest = line.substring(i + 1).split(" ");
        require(rest.length == 1 || rest.length == 2, "bad value and timestamp", where);
        double value;
        try {
            value =
                    switch (rest[0]) {
                        case "+Inf" -> Double.POSITIVE_INFINITY;
                        case "-Inf" -> Double.NEGATIVE_INFINITY;
                        case "NaN" -> Double.NaN;
                        default -> Double.parseDouble(rest[0]);
                    };
            if (rest.length == 2) {
                Long.parseLong(rest[1]);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad number: " + where, e);
        }
        return new Sample(family, name, labels, value);
    }

    private static void require(boolean ok, String problem, String where) {
        if (!ok) {
            throw new IllegalArgumentException(problem + ": " + where);
        }
    }
}
