package io.pushbase.schema.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The token claim rule every node applies to rooms (comets' joins, the web node's room pulls). */
class RoomsTest {
    @Test
    void aClaimNamesARoomExactlyByPrefixOrAll() {
        List<String> claim = List.of("lobby", "game:*");
        assertThat(Rooms.claimNames(claim, "lobby")).isTrue();
        assertThat(Rooms.claimNames(claim, "lobby2")).isFalse();
        assertThat(Rooms.claimNames(claim, "game:1")).isTrue();
        assertThat(Rooms.claimNames(claim, "game:")).isTrue();
        assertThat(Rooms.claimNames(claim, "game")).isFalse();
        assertThat(Rooms.claimNames(List.of("*"), "anything")).isTrue();
        assertThat(Rooms.claimNames(List.of(), "lobby")).isFalse();
    }
}
