package io.pushbase.launcher.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class StandaloneOptionsTest {
    private static final Path HOME = Path.of("/opt/pushbase");

    @Test
    void defaultsAreTheProtocolsPortsAndADataDirectoryHere() {
        StandaloneOptions o = StandaloneOptions.parse(HOME, new String[0]);
        assertThat(o.data()).isEqualTo(Path.of("data").toAbsolutePath());
        assertThat(o.zookeeper()).isNull();
        assertThat(o.port(8090)).isEqualTo(8090);
    }

    @Test
    void everyOptionIsTaken() {
        StandaloneOptions o =
                StandaloneOptions.parse(
                        HOME,
                        new String[] {
                            "--data", "/tmp/d/../pb", "--zk", "zk1:2181", "--port-offset", "100"
                        });
        assertThat(o.data()).isEqualTo(Path.of("/tmp/pb"));
        assertThat(o.zookeeper()).isEqualTo("zk1:2181");
        assertThat(o.port(6969)).isEqualTo(7069);
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> StandaloneOptions.parse(HOME, new String[] {"--data"}))
                .hasMessageContaining("--data");
        assertThatThrownBy(() -> StandaloneOptions.parse(HOME, new String[] {"--nope", "1"}))
                .hasMessageContaining("unknown option: --nope");
        assertThatThrownBy(() -> StandaloneOptions.parse(HOME, new String[] {"--port-offset", "x"}))
                .hasMessageContaining("--port-offset");
        assertThatThrownBy(
                        () -> StandaloneOptions.parse(HOME, new String[] {"--port-offset", "-1"}))
                .hasMessageContaining("0..50000");
    }
}
