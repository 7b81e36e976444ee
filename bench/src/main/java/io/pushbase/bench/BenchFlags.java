package io.pushbase.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The command-line flags of a benchmark: {@code --name value} or {@code --name=value}, each
 * defaulting to the system property {@code bench.<name in camelCase>}, else to its built-in
 * default; a switch ({@code --name} alone) is {@code false} unless given. Shared by every
 * benchmark's options so they all read flags the same way.
 */
final class BenchFlags {
    /** A command line the benchmark cannot run with; a null message means "help asked". */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    private final Map<String, String> values;

    private BenchFlags(Map<String, String> values) {
        this.values = values;
    }

    /**
     * Parses {@code args} against {@code defaults} (flag name without dashes → built-in default).
     *
     * @throws UsageException for {@code --help}/{@code -h}, an unknown flag or a missing value
     */
    static BenchFlags parse(String[] args, Map<String, String> defaults) throws UsageException {
        return parse(args, defaults, Set.of());
    }

    /**
     * As {@link #parse(String[], Map)}, where the flags in {@code switches} take no value: given,
     * they read {@code true} ({@link #isSet}).
     */
    static BenchFlags parse(String[] args, Map<String, String> defaults, Set<String> switches)
            throws UsageException {
        Map<String, String> values = new LinkedHashMap<>();
        defaults.forEach(
                (flag, value) -> values.put(flag, System.getProperty(property(flag), value)));
        switches.forEach(flag -> values.put(flag, System.getProperty(property(flag), "false")));
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("-h") || flag.equals("--help")) {
                throw new UsageException(null);
            }
            if (!flag.startsWith("--")) {
                throw new UsageException("unexpected argument " + flag);
            }
            String value;
            int eq = flag.indexOf('=');
            if (switches.contains(flag.substring(2))) {
                value = "true";
            } else if (eq > 0) {
                value = flag.substring(eq + 1);
                flag = flag.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new UsageException("missing value after " + flag);
            }
            String name = flag.substring(2);
            if (!values.containsKey(name)) {
                throw new UsageException("unknown option " + flag);
            }
            values.put(name, value);
        }
        return new BenchFlags(values);
    }

    String text(String flag) {
        return values.get(flag);
    }

    /** Whether switch {@code flag} was given (or its property is {@code true}). */
    boolean isSet(String flag) {
        return Boolean.parseBoolean(values.get(flag));
    }

    /** A whole number of at least {@code min} (and at most {@link Integer#MAX_VALUE}). */
    long number(String flag, long min) throws UsageException {
        return number(flag, values.get(flag), min);
    }

    /** A whole number of seconds, at least {@code min}. */
    Duration seconds(String flag, long min) throws UsageException {
        return Duration.ofSeconds(number(flag, min));
    }

    /** A comma-separated list of whole numbers, each at least {@code min}. */
    List<Integer> numbers(String flag, long min) throws UsageException {
        List<Integer> numbers = new ArrayList<>();
        for (String part : values.get(flag).split(",")) {
            numbers.add((int) number(flag, part, min));
        }
        return List.copyOf(numbers);
    }

    /** A comma-separated subset of {@code all}, returned in the order of {@code all}. */
    List<String> subset(String flag, List<String> all) throws UsageException {
        String text = values.get(flag);
        List<String> chosen =
                Arrays.asList(text.toLowerCase(Locale.ROOT).replace(" ", "").split(","));
        if (!all.containsAll(chosen)) {
            throw new UsageException(
                    "--" + flag + " takes a subset of " + String.join(",", all) + ": " + text);
        }
        return all.stream().filter(chosen::contains).toList();
    }

    private static long number(String flag, String value, long min) throws UsageException {
        long n;
        try {
            n = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("--" + flag + " needs a whole number, got '" + value + "'");
        }
        if (n < min || n > Integer.MAX_VALUE) {
            throw new UsageException("--" + flag + " must be at least " + min + ", got " + n);
        }
        return n;
    }

    /** {@code fetch-keys} → {@code bench.fetchKeys}. */
    private static String property(String flag) {
        StringBuilder name = new StringBuilder("bench.");
        boolean upper = false;
        for (char c : flag.toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                name.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return name.toString();
    }
}
