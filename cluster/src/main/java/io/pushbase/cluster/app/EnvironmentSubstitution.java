package io.pushbase.cluster.app;

import io.dropwizard.configuration.ConfigurationSourceProvider;
import io.dropwizard.configuration.EnvironmentVariableSubstitutor;
import io.dropwizard.configuration.SubstitutingSourceProvider;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.setup.Bootstrap;

/**
 * The one rule every node's YAML follows: {@code ${ENV_VAR:-default}} is replaced from the
 * environment before parsing, and an unset variable without a default is left as written (not an
 * error), so the example files run unchanged. Stateless.
 */
public final class EnvironmentSubstitution {
    private EnvironmentSubstitution() {}

    /** {@code raw} with the substitution applied to every file it reads. */
    public static ConfigurationSourceProvider over(ConfigurationSourceProvider raw) {
        return new SubstitutingSourceProvider(raw, new EnvironmentVariableSubstitutor(false));
    }

    /** Applies the substitution to the configuration {@code bootstrap} will read. */
    public static void install(Bootstrap<? extends Configuration> bootstrap) {
        bootstrap.setConfigurationSourceProvider(over(bootstrap.getConfigurationSourceProvider()));
    }
}
