package io.pushbase.launcher.nodes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LoopbackPortsTest {

    @Test
    void everyPortOfTheRoleIsSetAndBoundOnLoopback() throws Exception {
        LoopbackPorts ports = LoopbackPorts.free(Role.COMET);
        assertThat(ports.ports()).containsOnlyKeys("admin", "grpc", "tcp", "ws");
        assertThat(ports.environment("127.0.0.1:2181", "comet-7"))
                .containsEntry("PUSHBASE_ZK", "127.0.0.1:2181")
                .containsEntry("PUSHBASE_COMET_NAME", "comet-7")
                .containsEntry("PUSHBASE_ADVERTISE_HOST", "127.0.0.1")
                .containsEntry("PUSHBASE_TCP_BIND", "127.0.0.1")
                .containsEntry("PUSHBASE_TCP_PORT", Integer.toString(ports.port("tcp")))
                .containsEntry("PUSHBASE_ADMIN_BIND", "127.0.0.1")
                .containsEntry("PUSHBASE_ADMIN_PORT", Integer.toString(ports.port("admin")));
    }

    @Test
    void theUsesAreThoseOfTheRolesPortSettings() {
        assertThat(Role.MESSAGE.portUses()).containsExactly("admin", "grpc");
        assertThat(Role.WEB.portUses()).containsExactly("admin", "http", "ops");
        assertThat(Role.WEB.nameSetting()).isEqualTo("PUSHBASE_WEB_NAME");
    }

    @Test
    void noPortIsHandedOutTwice() throws Exception {
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            assertThat(seen.add(LoopbackPorts.freePort())).isTrue();
        }
    }

    @Test
    void aPortTheRoleDoesNotHaveIsNamed() throws Exception {
        assertThatThrownBy(() -> LoopbackPorts.free(Role.MESSAGE).port("tcp"))
                .hasMessageContaining("message has no tcp port");
    }
}
