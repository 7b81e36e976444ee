package io.pushbase.comet.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dropwizard.configuration.ConfigurationValidationException;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.validation.BaseValidator;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code push:} block of comet.yml: the broadcast bound's default and its refused values. */
class PushConfigurationTest {
    private final YamlConfigurationFactory<PushConfiguration> factory =
            new YamlConfigurationFactory<>(
                    PushConfiguration.class,
                    BaseValidator.newValidator(),
                    Jackson.newObjectMapper(),
                    "dw");

    @TempDir Path dir;

    private PushConfiguration parse(String yaml) throws Exception {
        Path file = Files.writeString(dir.resolve("push.yml"), yaml);
        return factory.build(new FileConfigurationSourceProvider(), file.toString());
    }

    @Test
    void broadcastsQueueUpTo64ByDefaultAndTheBoundIsTakenAsWritten() throws Exception {
        assertThat(new PushConfiguration().getMaxQueuedBroadcasts()).isEqualTo(64);
        assertThat(parse("maxQueuedBroadcasts: 5\n").getMaxQueuedBroadcasts()).isEqualTo(5);
    }

    @Test
    void aBroadcastBoundBelowOneOrAbsurdlyHighIsRefusedNamingTheSetting() {
        for (String value : new String[] {"0", "-1", "100001"}) {
            assertThatThrownBy(() -> parse("maxQueuedBroadcasts: " + value + "\n"))
                    .as(value)
                    .isInstanceOf(ConfigurationValidationException.class)
                    .hasMessageContaining("maxQueuedBroadcasts");
        }
    }
}
