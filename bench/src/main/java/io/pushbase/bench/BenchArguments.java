package io.pushbase.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import net.sourceforge.argparse4j.ArgumentParsers;
import net.sourceforge.argparse4j.impl.Arguments;
import net.sourceforge.argparse4j.inf.Argument;
import net.sourceforge.argparse4j.inf.ArgumentParser;
import net.sourceforge.argparse4j.inf.ArgumentParserException;
import net.sourceforge.argparse4j.inf.ArgumentType;
import net.sourceforge.argparse4j.inf.Namespace;

/**
 * The command line of a benchmark, on argparse4j (the library Dropwizard's own command line uses):
 * {@code --name value} or {@code --name=value}, each defaulting to the system property {@code
 * bench.<name in camelCase>}, else to its built-in default; a switch ({@code --name} alone) is
 * {@code false} unless given. {@code -h}/{@code --help} prints every option with its default.
 * Shared by every benchmark so they all read flags the same way.
 *
 * <p>Not thread-safe: built, then parsed, on one thread.
 */
final class BenchArguments {
    private final ArgumentParser parser;
    private final String epilog;

    /** An option named with a dash, to show how its property is spelled; null while none. */
    private String example;

    private BenchArguments(ArgumentParser parser, String epilog) {
        this.parser = parser;
        this.epilog = epilog;
    }

    /**
     * A command line for {@code prog} (as the user types it, e.g. {@code bench/run-web-bench}); the
     * help shows {@code description} above the options and {@code epilog} below.
     */
    static BenchArguments of(String prog, String description, String epilog) {
        ArgumentParser parser =
                ArgumentParsers.newFor(prog)
                        .terminalWidthDetection(false)
                        .defaultFormatWidth(100)
                        .build()
                        .description(description);
        return new BenchArguments(parser, epilog);
    }

    /**
     * Adds {@code --flag METAVAR} of {@code type}, defaulting to the property {@code bench.<flag>},
     * else {@code defaultText}; the help names that default.
     */
    <T> BenchArguments option(
            String flag, ArgumentType<T> type, String defaultText, String metavar, String help)
            throws ArgumentParserException {
        if (example == null && flag.contains("-")) {
            example = flag;
        }
        Argument argument =
                parser.addArgument("--" + flag)
                        .type(type)
                        .metavar(metavar)
                        .help(help + " (default " + defaultText + ")");
        argument.setDefault(
                type.convert(parser, argument, System.getProperty(property(flag), defaultText)));
        return this;
    }

    /**
     * Adds the three timing options every scenario benchmark has: {@code --seconds} (the measured
     * window per scenario, at least 1), {@code --warmup} (per scenario, not measured) and {@code
     * --prewarm} (JIT warm-up before the first scenario), with their defaults and help.
     */
    BenchArguments windows(
            String seconds, String warmup, String warmupHelp, String prewarm, String prewarmHelp)
            throws ArgumentParserException {
        return option("seconds", number(1), seconds, "N", "measured window per scenario in seconds")
                .option("warmup", number(0), warmup, "N", warmupHelp)
                .option("prewarm", number(0), prewarm, "N", prewarmHelp);
    }

    /** Adds the switch {@code --flag} (or property {@code bench.<flag>=true}). */
    BenchArguments flag(String flag, String help) {
        parser.addArgument("--" + flag)
                .action(Arguments.storeTrue())
                .setDefault(Boolean.parseBoolean(System.getProperty(property(flag), "false")))
                .help(help);
        return this;
    }

    /**
     * Parses {@code args}.
     *
     * @throws ArgumentParserException for {@code --help} (a {@code HelpScreenException}, the help
     *     already printed), an unknown option, a missing or bad value
     */
    Namespace parse(String[] args) throws ArgumentParserException {
        String sample = example == null ? "seconds" : example;
        parser.epilog(
                (epilog.isEmpty() ? "" : epilog + " ")
                        + "Each option may also be given as a system property: --"
                        + sample
                        + " N as -D"
                        + property(sample)
                        + "=N.");
        return parser.parseArgs(args);
    }

    /**
     * The {@code --dist DIR} option of a benchmark that starts the built distribution's processes;
     * {@code command} is the script that builds the distribution when needed.
     */
    BenchArguments distOption(String command) throws ArgumentParserException {
        return option(
                "dist",
                (parser, argument, value) -> value,
                StandaloneBenchOptions.DEFAULT_DIST,
                "DIR",
                "the unpacked distribution whose processes are started; "
                        + command
                        + " builds it when needed");
    }

    /** A usage error found after parsing (e.g. two options that do not go together). */
    ArgumentParserException error(String message) {
        return new ArgumentParserException(message, parser);
    }

    /** A whole number of at least {@code min} (and at most {@link Integer#MAX_VALUE}). */
    static ArgumentType<Integer> number(long min) {
        return (parser, argument, value) -> number(parser, argument, value, min);
    }

    /** A comma-separated list of whole numbers, each at least {@code min}. */
    static ArgumentType<List<Integer>> numbers(long min) {
        return (parser, argument, value) -> {
            List<Integer> numbers = new ArrayList<>();
            for (String part : value.split(",")) {
                numbers.add(number(parser, argument, part, min));
            }
            return List.copyOf(numbers);
        };
    }

    /** A comma-separated subset of {@code all}, returned in the order of {@code all}. */
    static ArgumentType<List<String>> subset(List<String> all) {
        return (parser, argument, value) -> {
            List<String> chosen =
                    Arrays.asList(value.toLowerCase(Locale.ROOT).replace(" ", "").split(","));
            if (!all.containsAll(chosen)) {
                throw new ArgumentParserException(
                        "takes a subset of " + String.join(",", all) + ": " + value,
                        parser,
                        argument);
            }
            return all.stream().filter(chosen::contains).toList();
        };
    }

    private static int number(ArgumentParser parser, Argument argument, String value, long min)
            throws ArgumentParserException {
        long n;
        try {
            n = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new ArgumentParserException(
                    "needs a whole number, got '" + value + "'", parser, argument);
        }
        if (n < min || n > Integer.MAX_VALUE) {
            throw new ArgumentParserException(
                    "must be at least " + min + ", got " + n, parser, argument);
        }
        return (int) n;
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
