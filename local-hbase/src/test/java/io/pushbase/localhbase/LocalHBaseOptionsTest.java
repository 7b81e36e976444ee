package io.pushbase.localhbase;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LocalHBaseOptionsTest {

    @Test
    void onlyTheDataDirectoryIsRequired() {
        LocalHBaseOptions options = LocalHBaseOptions.parse("--data", "some/dir");

        assertThat(options.dataDir()).isEqualTo(Path.of("some/dir").toAbsolutePath());
        assertThat(options.zkPort()).isEqualTo(2181);
        assertThat(options.bindAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(options.advertisedHost()).isEqualTo("127.0.0.1");
        assertThat(options.ignoreStdin()).isFalse();
    }

    @Test
    void everyOptionIsRead() {
        LocalHBaseOptions options =
                LocalHBaseOptions.parse(
                        "--zk-port",
                        "22181",
                        "--bind",
                        "0.0.0.0",
                        "--ignore-stdin",
                        "--data",
                        "/d");

        assertThat(options.dataDir()).isEqualTo(Path.of("/d"));
        assertThat(options.zkPort()).isEqualTo(22181);
        assertThat(options.bindAddress().isAnyLocalAddress()).isTrue();
        assertThat(options.advertisedHost())
                .as("clients on this machine use loopback")
                .isEqualTo("127.0.0.1");
        assertThat(options.ignoreStdin()).isTrue();
    }

    @Test
    void aMissingDataDirectoryIsRefused() {
        assertThatThrownBy(() -> LocalHBaseOptions.parse("--zk-port", "2181"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--data DIR is required");
    }

    @Test
    void badValuesAreRefusedWithTheirReason() {
        assertThatThrownBy(() -> LocalHBaseOptions.parse("--data"))
                .hasMessage("--data needs a value");
        assertThatThrownBy(() -> LocalHBaseOptions.parse("--data", "--zk-port", "1"))
                .hasMessage("--data needs a value");
        assertThatThrownBy(() -> LocalHBaseOptions.parse("--data", "d", "--zk-port", "x"))
                .hasMessageContaining("must be a number");
        assertThatThrownBy(() -> LocalHBaseOptions.parse("--data", "d", "--zk-port", "0"))
                .hasMessageContaining("1..65535");
        assertThatThrownBy(() -> LocalHBaseOptions.parse("--data", "d", "--data", "e"))
                .hasMessage("--data given twice");
        assertThatThrownBy(() -> LocalHBaseOptions.parse("--data", "d", "--verbose"))
                .hasMessage("unknown argument: --verbose");
    }

    @Test
    void anAddressOtherThanLocalhostOrWildcardIsRefused() {
        assertThatThrownBy(() -> LocalHBaseOptions.parse("--data", "d", "--bind", "192.0.2.1"))
                .hasMessageContaining("(localhost) or 0.0.0.0");
        assertThatThrownBy(() -> LocalHBaseOptions.parse("--data", "d", "--bind", "127.0.0.2"))
                .as("another loopback address: ZooKeeper's own start check would not see it")
                .hasMessageContaining("(localhost) or 0.0.0.0");
    }
}
