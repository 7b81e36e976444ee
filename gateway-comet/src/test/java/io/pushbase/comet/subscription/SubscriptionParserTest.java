package io.pushbase.comet.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pushbase.comet.subscription.InvalidSubscriptionException.Rule;
import io.pushbase.schema.client.MessageFormat;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class SubscriptionParserTest {
    private static final byte[] K = utf8("k");

    /** The largest since the parser accepts in these tests: "now" plus the slack. */
    private static final long LATEST = 17952546403772882L;

    private final SubscriptionParser parser = new SubscriptionParser(30, () -> LATEST);

    private static byte[] utf8(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void absentTokenAndVersionAreEmpty() throws Exception {
        Subscription s = parser.parse(K, "30", null, null, null);

        assertThat(s).isEqualTo(new Subscription("k", 30, "", ""));
        assertThat(s.messageFormat()).isEqualTo(MessageFormat.OLD);
    }

    @Test
    void aVersionSelectsTheNewFormat() throws Exception {
        assertThat(parser.parse(K, "30", "", "1", null).messageFormat())
                .isEqualTo(MessageFormat.NEW);
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
            assertThatThrownBy(() -> parser.parse(utf8(c[0]), c[1], null, null, null))
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
            assertThatThrownBy(() -> parser.parse(key, "30", "", "1", null))
                    .isInstanceOfSatisfying(
                            InvalidSubscriptionException.class,
                            e -> assertThat(e.rule()).isEqualTo(Rule.KEY));
        }
        assertThatThrownBy(() -> parser.parse(K, "x", null, null, null))
                .isInstanceOfSatisfying(
                        InvalidSubscriptionException.class,
                        e -> assertThat(e.rule()).isEqualTo(Rule.OTHER));
    }

    @Test
    void acceptsEveryKeyTheKeyRuleAcceptsDecodedFromItsBytes() throws Exception {
        String longest = "鍵".repeat(85) + "x";
        assertThat(parser.parse(utf8(longest), "30", null, null, null).key()).isEqualTo(longest);
        assertThat(parser.parse(utf8("x".repeat(256)), "30", null, null, null).key()).hasSize(256);
        assertThat(parser.parse(utf8("käy 😀"), "30", null, null, null).key()).isEqualTo("käy 😀");
    }

    @Test
    void readsHeartbeatsAsGoAtoiDoes() throws Exception {
        assertThat(parser.parse(K, "+45", null, null, null).heartbeatSeconds()).isEqualTo(45);
        assertThat(parser.parse(K, "0045", null, null, null).heartbeatSeconds()).isEqualTo(45);
        assertThat(parser.parse(K, "2147483647", null, null, null).heartbeatSeconds())
                .isEqualTo(Integer.MAX_VALUE);
    }

    // --- since (Pushbase) ---

    @Test
    void anAbsentOrEmptySinceIsNoResume() throws Exception {
        assertThat(parser.parse(K, "30", "", "1", null).since()).isEmpty();
        assertThat(parser.parse(K, "30", "", "1", "").since()).isEmpty();
        assertThat(parser.parse(K, "30", "", "1", ""))
                .isEqualTo(new Subscription("k", 30, "", "1"));
    }

    @Test
    void aSinceIsADecimalMidUpToTheLatestAccepted() throws Exception {
        assertThat(parser.parse(K, "30", "", "1", "0").since()).isEqualTo(OptionalLong.of(0));
        assertThat(parser.parse(K, "30", "", "", "17952546363411610").since())
                .isEqualTo(OptionalLong.of(17952546363411610L));
        assertThat(parser.parse(K, "30", null, null, "007").since()).isEqualTo(OptionalLong.of(7));
        assertThat(parser.parse(K, "30", null, null, Long.toString(LATEST)).since())
                .isEqualTo(OptionalLong.of(LATEST));
    }

    @Test
    void refusesAMalformedNegativeTooLongOrFutureSinceAsABadSince() {
        String[] refused = {
            "-1",
            "+5",
            " 5",
            "5 ",
            "5x",
            "0x10",
            "1e3",
            "٣٠",
            "１２",
            "9223372036854775808", // one above Long.MAX_VALUE
            "99999999999999999999", // 20 digits
            "00000000000000000001", // 20 digits, however small
            Long.toString(LATEST + 1), // in the future
            Long.toString(Long.MAX_VALUE),
        };
        for (String since : refused) {
            assertThatThrownBy(() -> parser.parse(K, "30", "", "1", since))
                    .as("since %s", since)
                    .isInstanceOfSatisfying(
                            InvalidSubscriptionException.class,
                            e -> assertThat(e.rule()).isEqualTo(Rule.SINCE));
        }
    }

    @Test
    void theFutureIsReadFromTheClockAtEachRequest() throws Exception {
        long[] now = {100};
        SubscriptionParser clocked = new SubscriptionParser(30, () -> now[0]);
        assertThatThrownBy(() -> clocked.parse(K, "30", null, null, "101"))
                .isInstanceOf(InvalidSubscriptionException.class)
                .hasMessageContaining("future");
        now[0] = 101;
        assertThat(clocked.parse(K, "30", null, null, "101").since()).hasValue(101);
    }

    @Test
    void aBadKeyIsReportedBeforeABadSince() {
        assertThatThrownBy(() -> parser.parse(new byte[0], "30", "", "1", "x"))
                .isInstanceOfSatisfying(
                        InvalidSubscriptionException.class,
                        e -> assertThat(e.rule()).isEqualTo(Rule.KEY));
    }

    @Test
    void neverPrintsTheToken() {
        assertThat(new Subscription("k", 30, "secret", "").toString()).doesNotContain("secret");
    }
}
