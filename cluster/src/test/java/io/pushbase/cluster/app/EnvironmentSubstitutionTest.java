package io.pushbase.cluster.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.configuration.ConfigurationSourceProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvironmentSubstitutionTest {
    private static final String YAML =
            "path: ${PATH:-none}\nport: ${PUSHBASE_TEST_UNSET_PORT:-8070}\nleft: ${PUSHBASE_TEST_UNSET}\n";

    private static String read(ConfigurationSourceProvider provider) throws IOException {
        try (InputStream in = provider.open("any.yml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static ConfigurationSourceProvider raw() {
        return path -> new ByteArrayInputStream(YAML.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void substitutesTheEnvironmentAndDefaultsAndLeavesUnsetVariablesAsWritten() throws Exception {
        assertThat(read(EnvironmentSubstitution.over(raw())))
                .isEqualTo(
                        "path: "
                                + System.getenv("PATH")
                                + "\nport: 8070\nleft: ${PUSHBASE_TEST_UNSET}\n");
    }

    @Test
    void aHostsSettingsWinOverTheEnvironmentAndTheDefaults() throws Exception {
        Map<String, String> settings =
                Map.of("PATH", "/from/host", "PUSHBASE_TEST_UNSET_PORT", "9070");
        assertThat(read(EnvironmentSubstitution.over(raw(), settings)))
                .isEqualTo("path: /from/host\nport: 9070\nleft: ${PUSHBASE_TEST_UNSET}\n");
    }
}
