package io.pushbase.schema.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KeysTest {
    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    @Test
    void acceptsNonEmptyUtf8UpToTheLimit() {
        for (String key : new String[] {"k", "Terry-Mao", "käy 鍵 😀", "x".repeat(Keys.MAX_BYTES)}) {
            assertThat(Keys.problem(key)).as(key).isNull();
            assertThat(Keys.problem(key.getBytes(StandardCharsets.UTF_8))).as(key).isNull();
        }
        // 85 three-byte chars and one more byte: 256 bytes exactly.
        String cjk = "鍵".repeat(85) + "x";
        assertThat(Keys.problem(cjk.getBytes(StandardCharsets.UTF_8))).isNull();
        assertThat(Keys.problem(cjk)).isNull();
    }

    @Test
    void refusesEmptyAndAbsentKeys() {
        assertThat(Keys.problem((String) null)).isEqualTo("key must not be empty");
        assertThat(Keys.problem("")).isEqualTo("key must not be empty");
        assertThat(Keys.problem((byte[]) null)).isEqualTo("key must not be empty");
        assertThat(Keys.problem(new byte[0])).isEqualTo("key must not be empty");
    }

    @Test
    void refusesKeysOverTheLimitInBytesAsStringsAndAsBytes() {
        String ascii = "x".repeat(Keys.MAX_BYTES + 1);
        String cjk = "鍵".repeat(86);
        assertThat(Keys.problem(ascii)).isEqualTo("key is 257 bytes, at most 256 allowed");
        assertThat(Keys.problem(ascii.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("key is 257 bytes, at most 256 allowed");
        assertThat(Keys.problem(cjk)).isEqualTo("key is 258 bytes, at most 256 allowed");
        assertThat(Keys.problem(cjk.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("key is 258 bytes, at most 256 allowed");
    }

    @Test
    void refusesBytesThatAreNotWellFormedUtf8() {
        byte[][] cases = {
            bytes(0xff, 0xfe),
            bytes('k', 0x80),
            bytes('k', 0xc3),
            bytes(0xc0, 0xaf),
            bytes(0xe0, 0x80, 0xaf),
            bytes(0xed, 0xa0, 0x80),
            bytes(0xf4, 0x90, 0x80, 0x80),
            bytes(0xf0, 0x9f, 0x98),
        };
        for (byte[] key : cases) {
            assertThat(Keys.problem(key)).isEqualTo("key is not valid UTF-8");
        }
    }
}
