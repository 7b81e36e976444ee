package io.pushbase.comet.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pushbase.comet.subscription.InvalidSubscriptionException.Rule;
import io.pushbase.schema.client.MessageFormat;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
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

    // --- since=@<device> (Pushbase, issue 15) ---

    @Test
    void anAtSinceNamesTheDeviceToResumeFrom() throws Exception {
        Subscription s = parser.parse(K, "30", "", "1", "@phone-1");

        assertThat(s.sinceDevice()).hasValue("phone-1");
        assertThat(s.since()).isEmpty();
        assertThat(s.resumes()).isTrue();
        assertThat(s.toString()).contains("since=@phone-1");
        assertThat(parser.parse(K, "30", "", "1", "@A.b_c:9-" + "x".repeat(55)).sinceDevice())
                .hasValue("A.b_c:9-" + "x".repeat(55));
    }

    @Test
    void aMidOrNoSinceNamesNoDevice() throws Exception {
        assertThat(parser.parse(K, "30", "", "1", "7").sinceDevice()).isEmpty();
        assertThat(parser.parse(K, "30", "", "1", null).sinceDevice()).isEmpty();
        assertThat(parser.parse(K, "30", "", "1", null).resumes()).isFalse();
        assertThat(parser.parse(K, "30", "", "1", null).sinceDevice()).isEqualTo(Optional.empty());
    }

    @Test
    void refusesADeviceTheDeviceRuleRefusesNamingTheProblem() {
        String[][] refused = {
            {"@", "must not be empty"},
            {"@" + "d".repeat(65), "at most 64"},
            {"@pho ne", "U+0020"},
            {"@phone/1", "U+002F"},
            {"@@phone", "U+0040"},
            {"@téléphone", "U+00E9"},
        };
        for (String[] c : refused) {
            assertThatThrownBy(() -> parser.parse(K, "30", "", "1", c[0]))
                    .as("since %s", c[0])
                    .isInstanceOfSatisfying(
                            InvalidSubscriptionException.class,
                            e -> assertThat(e.rule()).isEqualTo(Rule.DEVICE))
                    .hasMessageContaining("since=@<device>")
                    .hasMessageContaining(c[1]);
        }
    }

    @Test
    void aRoomCannotResumeFromADevice() {
        assertThatThrownBy(() -> parser.parse(K, "30", "", "1", null, List.of("news@@phone-1")))
                .isInstanceOfSatisfying(
                        InvalidSubscriptionException.class,
                        e -> {
                            assertThat(e.rule()).isEqualTo(Rule.ROOM);
                            assertThat(e.roomReply().toString()).isEqualTo("-j news since");
                        })
                .hasMessageContaining("rooms keep no device cursors");
        assertThatThrownBy(() -> parser.room("news", "@phone-1"))
                .isInstanceOf(InvalidSubscriptionException.class)
                .hasMessageContaining("rooms keep no device cursors");
    }

    @Test
    void aKeyDeviceResumeKeepsItsRooms() throws Exception {
        Subscription s = parser.parse(K, "30", "", "1", "@phone-1", List.of("news@5"));

        assertThat(s.sinceDevice()).hasValue("phone-1");
        assertThat(s.rooms()).containsExactly(new RoomRequest("news", OptionalLong.of(5)));
    }
}
