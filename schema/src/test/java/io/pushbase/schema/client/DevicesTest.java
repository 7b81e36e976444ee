package io.pushbase.schema.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DevicesTest {
    @Test
    void acceptsTheAlphabetUpToSixtyFourCharacters() {
        assertThat(Devices.problem("phone-1")).isNull();
        assertThat(Devices.problem("a.B_c:9-z")).isNull();
        assertThat(Devices.problem("d".repeat(64))).isNull();
    }

    @Test
    void refusesEmptyLongAndOtherCharactersNamingTheProblem() {
        assertThat(Devices.problem(null)).isEqualTo("device id must not be empty");
        assertThat(Devices.problem("")).isEqualTo("device id must not be empty");
        assertThat(Devices.problem("d".repeat(65)))
                .isEqualTo("device id is 65 characters, at most 64");
        assertThat(Devices.problem("a b")).contains("U+0020 at 1");
        assertThat(Devices.problem("é")).contains("U+00E9 at 0");
        assertThat(Devices.problem("a/b")).contains("U+002F");
    }
}
