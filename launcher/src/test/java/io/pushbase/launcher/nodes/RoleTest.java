package io.pushbase.launcher.nodes;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RoleTest {

    @Test
    void rolesStartMessageFirstAndWebLast() {
        assertThat(Role.values()).containsExactly(Role.MESSAGE, Role.COMET, Role.WEB);
        assertThat(Role.COMET.roleName()).isEqualTo("comet");
    }

    @Test
    void theDefaultPortsAreGopushClustersAndTheOffsetMovesEveryOne() {
        assertThat(Role.COMET.portSettings(0))
                .isEqualTo(
                        Map.of(
                                "PUSHBASE_TCP_PORT", "6969",
                                "PUSHBASE_WS_PORT", "6968",
                                "PUSHBASE_GRPC_PORT", "6970",
                                "PUSHBASE_ADMIN_PORT", "6971"));
        assertThat(Role.MESSAGE.portSettings(1000))
                .isEqualTo(Map.of("PUSHBASE_GRPC_PORT", "9070", "PUSHBASE_ADMIN_PORT", "9071"));
        assertThat(Role.WEB.portSettings(0))
                .isEqualTo(
                        Map.of(
                                "PUSHBASE_HTTP_PORT", "8090",
                                "PUSHBASE_ADMIN_PORT", "8091",
                                "PUSHBASE_OPS_PORT", "8092"));
        assertThat(Role.WEB.adminPort(20000)).isEqualTo(28091);
    }

    @Test
    void noTwoRolesShareAPort() {
        List<String> ports = new ArrayList<>();
        for (Role role : Role.values()) {
            ports.addAll(role.portSettings(0).values());
            assertThat(role.portSettings(0))
                    .containsEntry("PUSHBASE_ADMIN_PORT", Integer.toString(role.adminPort(0)));
        }
        assertThat(ports).doesNotHaveDuplicates();
    }
}
