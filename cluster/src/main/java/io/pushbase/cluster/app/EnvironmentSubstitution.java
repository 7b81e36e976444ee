package io.pushbase.cluster.app;

import io.dropwizard.configuration.ConfigurationSourceProvider;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.setup.Bootstrap;
import java.util.Map;
import org.apache.commons.text.StringSubstitutor;

/**
 * The one rule every node's YAML follows: {@code ${ENV_VAR:-default}} is replaced from the
 * environment before parsing, and an unset variable without a default is left as written (not an
 * error), so the example files run unchanged. A process hosting several nodes may give each its own
 * values that win over the environment ({@link NodeHost#settings()}). Stateless.
 */
public final class EnvironmentSubstitution {
    private EnvironmentSubstitution() {}

    /** {@code raw} with the substitution applied to every file it reads. */
    public static ConfigurationSourceProvider over(ConfigurationSourceProvider raw) {
        return over(raw, Map.of());
    }

    /** {@code raw} with the substitution, {@code settings} first, then the environment. */
    public static ConfigurationSourceProvider over(
            ConfigurationSourceProvider raw, Map<String, String> settings) {
        // As Dropwizard's EnvironmentVariableSubstitutor(strict = false), with settings first.
        StringSubstitutor substitutor =
                new StringSubstitutor(
                        name ->
                                settings.containsKey(name)
                                        ? settings.get(name)
                                        : System.getenv(name));
        substitutor.setEnableUndefinedVariableException(false);
        return new SubstitutingSourceProvider(raw, substitutor);
    }

    /** Applies the substitution to the configuration {@code bootstrap} will read. */
    public static void install(Bootstrap<? extends Configuration> bootstrap) {
        install(bootstrap, Map.of());
    }

    /** As {@link #install(Bootstrap)}, with {@code settings} winning over the environment. */
    public static void install(
            Bootstrap<? extends Configuration> bootstrap, Map<String, String> settings) {
        bootstrap.setConfigurationSourceProvider(
                over(bootstrap.getConfigurationSourceProvider(), settings));
    }
}
