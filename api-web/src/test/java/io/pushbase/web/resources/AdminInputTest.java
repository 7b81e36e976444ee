package io.pushbase.web.resources;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AdminInputTest {
    @Test
    void expireIsParsedAsGoParsedAUint32() {
        assertThat(AdminInput.expire("0")).isZero();
        assertThat(AdminInput.expire("600")).isEqualTo(600);
        assertThat(AdminInput.expire("4294967295")).isEqualTo(4294967295L);
        for (String bad :
                new String[] {
                    null, "", "4294967296", "-1", "+1", "1e3", " 1", "0x10", "99999999999"
                }) {
            assertThat(AdminInput.expire(bad)).as(String.valueOf(bad)).isEqualTo(-1);
        }
    }

    @Test
    void aKeyParameterIsRequiredAndFollowsTheSharedKeyRule() {
        assertThat(AdminInput.keyProblem(null)).isEqualTo("key is required");
        assertThat(AdminInput.keyProblem("")).isEqualTo("key is required");
        assertThat(AdminInput.keyProblem("Terry-Mao")).isNull();
        assertThat(AdminInput.keyProblem("k".repeat(256))).isNull();
        assertThat(AdminInput.keyProblem("k".repeat(257)))
                .isEqualTo("key is 257 bytes, at most 256 allowed");
    }

    @Test
    void bodiesAreReadUpToTheBoundOnly() throws Exception {
        byte[] nine = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertThat(AdminInput.body(new ByteArrayInputStream(nine), 9)).isEqualTo(nine);
        assertThat(AdminInput.body(new ByteArrayInputStream(nine), 8)).isNull();
        assertThat(AdminInput.body(null, 8)).isEmpty();
    }

    @Test
    void aMessageMustBeExactlyOneJsonValue() {
        for (String good :
                new String[] {"{}", "[1]", "\"s\"", "1", "true", "null", " {\"a\":1} "}) {
            assertThat(AdminInput.messageProblem(bytes(good), 100)).as(good).isNull();
        }
        for (String bad : new String[] {"", "{", "{} {}", "NaN", "'a'", "{\"a\":01}", "\"\\x\""}) {
            assertThat(AdminInput.messageProblem(bytes(bad), 100)).as(bad).isNotNull();
        }
        assertThat(AdminInput.messageProblem(bytes("[1,2,3]"), 6)).contains("at most 6");
        assertThat(AdminInput.messageProblem(new byte[] {'"', (byte) 0xff, '"'}, 10)).isNotNull();
    }

    @Test
    void aMessageMustBeUtf8WithoutAByteOrderMark() {
        byte[][] refused = {
            {(byte) 0xef, (byte) 0xbb, (byte) 0xbf, '{', '"', 'b', 'o', 'm', '"', ':', '1', '}'},
            {(byte) 0xfe, (byte) 0xff, 0, '{', 0, '}'}, // UTF-16BE with BOM
            {(byte) 0xff, (byte) 0xfe, '{', 0, '}', 0}, // UTF-16LE with BOM
            {0, '{', 0, '}'}, // UTF-16BE without BOM: valid UTF-8 bytes, but NULs are not JSON
            {'{', 0, '}', 0}, // UTF-16LE without BOM
            {0, 0, (byte) 0xfe, (byte) 0xff, 0, 0, 0, '1'}, // UTF-32BE with BOM
            {0, 0, 0, '1'}, // UTF-32BE without BOM
            {'"', (byte) 0xc3, '"'}, // a truncated two-byte sequence
            {'"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"'}, // an encoded surrogate
        };
        for (byte[] message : refused) {
            assertThat(AdminInput.messageProblem(message, 100))
                    .as(java.util.HexFormat.ofDelimiter(" ").formatHex(message))
                    .isNotNull();
            assertThat(AdminInput.json(message)).isNull();
        }
        assertThat(AdminInput.messageProblem(refused[0], 100)).contains("byte-order mark");
        assertThat(AdminInput.messageProblem(refused[1], 100)).contains("byte 0");
        // Non-ASCII text in UTF-8 is fine.
        assertThat(AdminInput.messageProblem(bytes("{\"k\":\"\u00e9\u4e2d\ud83d\ude00\"}"), 100))
                .isNull();
    }

    @Test
    void formBodiesYieldTheirDecodedValue() {
        assertThat(AdminInput.formValue(bytes("key=a%20b&x=1"), "key")).isEqualTo("a b");
        assertThat(AdminInput.formValue(bytes("x=1&key=%E9%94%AE"), "key")).isEqualTo("键");
        assertThat(AdminInput.formValue(bytes("x=1"), "key")).isNull();
        assertThat(AdminInput.formValue(bytes("key=%zz"), "key")).isNull();
        assertThat(AdminInput.formValue(bytes(""), "key")).isNull();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
