package io.pushbase.comet.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pushbase.schema.client.MessageFormat;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SubscriptionParserTest {
    private static final byte[] K = utf8("k");
    private final SubscriptionParser parser = new SubscriptionParser(30);

    private static byte[] utf8(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void absentTokenAndVersionAreEmpty() throws Exception {
        Subscription s = parser.parse(K, "30", null, null);

        assertThat(s).isEqualTo(new Subscription("k", 30, "", ""));
        assertThat(s.messageFormat()).isEqualTo(MessageFormat.OLD);
    }

    @Test
    void aVersionSelectsTheNewFormat() throws Exception {
        assertThat(parser.parse(K, "30", "", "1").messageFormat()).isEqualTo(MessageFormat.NEW);
    }

    @Test
    void refusesWhatGopushClusterAnsweredMinusPFor() {
        String[][] cases = {
            {null, "30"},
            {"", "30"},
            {"k", null},
            {"k", ""},
            {"k", "x"},
            {"k", "+"},
            {"k", "-"},
            {"k", "3 0"},
            {"k", "٣٠"},
            {"k", "29"},
            {"k", "-30"},
            {"k", "2147483648"},
            {"k", "1e3"},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> parser.parse(utf8(c[0]), c[1], null, null))
                    .as("key %s heartbeat %s", c[0], c[1])
                    .isInstanceOf(InvalidSubscriptionException.class);
        }
    }

    @Test
    void refusesWhatTheKeyRuleRefusesAsABadKey() {
        byte[][] keys = {
            null,
            new byte[0],
            utf8("x".repeat(257)),
            utf8("鍵".repeat(86)),
            {(byte) 0xff, (byte) 0xfe},
            {'k', (byte) 0xc3},
            {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
        };
        for (byte[] key : keys) {
            assertThatThrownBy(() -> parser.parse(key, "30", "", "1"))
                    .isInstanceOfSatisfying(
                            InvalidSubscriptionException.class,
                            e -> assertThat(e.keyRule()).as("a key refusal").isTrue());
        }
        assertThatThrownBy(() -> parser.parse(K, "x", null, null))
                .isInstanceOfSatisfying(
                        InvalidSubscriptionException.class,
                        e -> assertThat(e.keyRule()).as("not a key refusal").isFalse());
    }

    @Test
    void acceptsEveryKeyTheKeyRuleAcceptsDecodedFromItsBytes() throws Exception {
        String longest = "鍵".repeat(85) + "x";
        assertThat(parser.parse(utf8(longest), "30", null, null).key()).isEqualTo(longest);
        assertThat(parser.parse(utf8("x".repeat(256)), "30", null, null).key()).hasSize(256);
        assertThat(parser.parse(utf8("käy 😀"), "30", null, null).key()).isEqualTo("käy 😀");
    }

    @Test
    void readsHeartbeatsAsGoAtoiDoes() throws Exception {
        assertThat(parser.parse(K, "+45", null, null).heartbeatSeconds()).isEqualTo(45);
        assertThat(parser.parse(K, "0045", null, null).heartbeatSeconds()).isEqualTo(45);
        assertThat(parser.parse(K, "2147483647", null, null).heartbeatSeconds())
                .isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void neverPrintsTheToken() {
        assertThat(new Subscription("k", 30, "secret", "").toString()).doesNotContain("secret");
    }
}
