package io.pushbase.store.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dropwizard.configuration.ConfigurationSourceProvider;
import io.dropwizard.configuration.ConfigurationValidationException;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import io.pushbase.cluster.app.EnvironmentSubstitution;
import io.pushbase.store.StoreLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MessageConfigurationTest {
    private final YamlConfigurationFactory<MessageConfiguration> factory =
            new YamlConfigurationFactory<>(
                    MessageConfiguration.class,
                    Validators.newValidator(),
                    Jackson.newObjectMapper(),
                    "dw");
    private final ConfigurationSourceProvider source =
            EnvironmentSubstitution.over(new FileConfigurationSourceProvider());

    @Test
    void shippedExampleConfigIsValidWithTheDocumentedDefaults() throws Exception {
        MessageConfiguration config = factory.build(source, "message.yml");
        assertThat(config.getGrpc().getPort()).isEqualTo(8070);
        assertThat(config.getHbase().getRetention().toSeconds()).isEqualTo(30L * 24 * 3600);
        StoreLimits limits = config.getStore().limits(config.getHbase().getRetention().toSeconds());
        assertThat(limits.maxPayloadBytes()).isEqualTo(64 * 1024);
        assertThat(limits.maxStoredPerKey()).isEqualTo(100);
        assertThat(config.getZookeeper().getRoot()).isEqualTo("/pushbase");
    }

    @Test
    void invalidValuesAreRefusedAtStartNamingTheSetting(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.yml");
        Files.writeString(
                bad,
                "store:\n  maxStoredPerKey: 0\ngrpc:\n  port: 70000\nzookeeper:\n  root: ''\n");
        assertThatThrownBy(() -> factory.build(source, bad.toString()))
                .isInstanceOf(ConfigurationValidationException.class)
                .hasMessageContaining("store.maxStoredPerKey")
                .hasMessageContaining("grpc.port")
                .hasMessageContaining("zookeeper.root");
    }

    @Test
    void theCapGoesUpTo100000AndNoFurther(@TempDir Path dir) throws Exception {
        Path deep = dir.resolve("deep.yml");
        Files.writeString(deep, "store:\n  maxStoredPerKey: 100000\n");
        assertThat(factory.build(source, deep.toString()).getStore().getMaxStoredPerKey())
                .isEqualTo(100_000);
        Path beyond = dir.resolve("beyond.yml");
        Files.writeString(beyond, "store:\n  maxStoredPerKey: 100001\n");
        assertThatThrownBy(() -> factory.build(source, beyond.toString()))
                .isInstanceOf(ConfigurationValidationException.class)
                .hasMessageContaining("store.maxStoredPerKey must be less than or equal to 100000");
    }
}
