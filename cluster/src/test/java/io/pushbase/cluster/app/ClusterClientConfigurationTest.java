package io.pushbase.cluster.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dropwizard.configuration.ConfigurationValidationException;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterClientConfigurationTest {
    /** A role's configuration: the shared blocks only. */
    public static class Role extends ClusterClientConfiguration {}

    private final YamlConfigurationFactory<Role> factory =
            new YamlConfigurationFactory<>(
                    Role.class, Validators.newValidator(), Jackson.newObjectMapper(), "dw");

    @TempDir Path dir;

    private Role read(String yaml) throws Exception {
        Path file = dir.resolve("role.yml");
        Files.writeString(file, yaml);
        return factory.build(
                EnvironmentSubstitution.over(new FileConfigurationSourceProvider()),
                file.toString());
    }

    @Test
    void theSharedBlocksBindFromASubclassAndUnsetVariablesTakeTheirDefaults() throws Exception {
        Role role =
                read(
                        "zookeeper:\n"
                                + "  connectString: ${PUSHBASE_TEST_SURELY_UNSET:-zk9:2181}\n"
                                + "discoveryStartTimeout: 3s\n"
                                + "auth:\n"
                                + "  enabled: false\n");
        assertThat(role.getZookeeper().getConnectString()).isEqualTo("zk9:2181");
        assertThat(role.getDiscoveryStartTimeout().toSeconds()).isEqualTo(3);
        assertThat(role.getMessageNodes()).isNotNull();
        assertThat(role.getAuth()).isNotNull();
    }

    @Test
    void aMissingSharedBlockIsRefusedAtStart() {
        assertThatThrownBy(() -> read("discoveryStartTimeout: null\n"))
                .isInstanceOf(ConfigurationValidationException.class)
                .hasMessageContaining("discoveryStartTimeout");
    }
}
