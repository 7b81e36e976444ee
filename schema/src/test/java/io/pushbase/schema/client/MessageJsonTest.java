package io.pushbase.schema.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MessageJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void rendersTheOldFormatReferenceBytes() {
        assertThat(render(17952546363411610L, "{\"test\":1}", MessageFormat.OLD))
                .isEqualTo("{\"msg\":\"{\\\"test\\\":1}\",\"mid\":17952546363411610,\"gid\":0}");
    }

    @Test
    void rendersTheNewFormatReferenceBytes() {
        assertThat(render(17952546403772882L, "{\"test\":1}", MessageFormat.NEW))
                .isEqualTo("{\"msg\":{\"test\":1},\"mid\":17952546403772882,\"gid\":0}");
    }

    @Test
    void rendersTheExactFormatWithTheMidAsADecimalString() {
        assertThat(render(17952546403772882L, "{\"test\":1}", MessageFormat.EXACT))
                .isEqualTo("{\"msg\":{\"test\":1},\"mid\":\"17952546403772882\",\"gid\":0}");
        assertThat(
                        MessageJson.length(
                                17952546403772882L,
                                "{\"test\":1}".getBytes(StandardCharsets.UTF_8),
                                MessageFormat.EXACT))
                .isEqualTo(52);
    }

    @Test
    void theExactFormatsMidParsesBackToTheSameDigitsWhereADoubleWouldNot() throws Exception {
        long mid = (1L << 53) + 1; // 9007199254740993: a double reads 9007199254740992
        byte[] json = MessageJson.render(mid, "[1]".getBytes(UTF8), MessageFormat.EXACT);
        JsonNode parsed = JSON.readTree(json);
        assertThat(parsed.get("mid").isTextual()).isTrue();
        assertThat(parsed.get("mid").asText()).isEqualTo("9007199254740993");
        assertThat((long) (double) mid).isNotEqualTo(mid);
        assertThat(parsed.get("msg").toString()).isEqualTo("[1]");
    }

    @Test
    void theExactFormatEmbedsOnlyWhatTheNewFormatEmbeds() {
        byte[] bom = {(byte) 0xef, (byte) 0xbb, (byte) 0xbf, '1'};
        assertThat(new String(MessageJson.render(5, bom, MessageFormat.EXACT), UTF8))
                .isEqualTo("{\"msg\":\"\ufeff1\",\"mid\":\"5\",\"gid\":0}");
        assertThat(MessageJson.render(5, bom, MessageFormat.EXACT))
                .hasSize(MessageJson.length(5, bom, MessageFormat.EXACT));
    }

    @Test
    void referenceMessagesHaveTheReferenceLengths() {
        byte[] payload = "{\"test\":1}".getBytes(StandardCharsets.UTF_8);
        assertThat(MessageJson.length(17952546363411610L, payload, MessageFormat.OLD))
                .isEqualTo(54);
        assertThat(MessageJson.length(17952546403772882L, payload, MessageFormat.NEW))
                .isEqualTo(50);
    }

    @Test
    void aStoredPayloadInAnotherEncodingIsSentAsAStringSoTheFrameStaysValidJson() throws Exception {
        byte[][] payloads = {
            {(byte) 0xef, (byte) 0xbb, (byte) 0xbf, '{', '"', 'b', 'o', 'm', '"', ':', '1', '}'},
            {(byte) 0xfe, (byte) 0xff, 0, '{', 0, '}'}, // UTF-16 BE with its BOM
            {'{', 0, '}', 0}, // UTF-16 LE
            {'{', 0, 0, 0, '}', 0, 0, 0}, // UTF-32 LE
            {'{', '"', 'a', '"', ':', '"', (byte) 0xff, '"', '}'}, // invalid UTF-8
            {},
        };
        for (byte[] payload : payloads) {
            byte[] frame = MessageJson.render(42, payload, MessageFormat.NEW);
            assertThat(frame).hasSize(MessageJson.length(42, payload, MessageFormat.NEW));
            assertThat(MessageJson.embeddable(payload)).isFalse();
            JsonNode parsed = JSON.readTree(new String(frame, StandardCharsets.UTF_8));
            assertThat(parsed.get("msg").isTextual()).as(new String(frame)).isTrue();
            assertThat(parsed.get("mid").asLong()).isEqualTo(42);
        }
        // Valid UTF-8 JSON, also with tabs and newlines, still goes through verbatim.
        assertThat(
                        MessageJson.embeddable(
                                "{\"a\":\t\"\u00e9\"}\n".getBytes(StandardCharsets.UTF_8)))
                .isTrue();
    }

    @Test
    void theNewFormatPassesThePayloadThroughVerbatim() {
        // Whitespace, key order, number spelling: nothing is re-serialised.
        String payload = "{ \"b\" : 1.50 ,\n\t\"a\":[ true,null ], \"s\":\"<&\\u00e9>\" }";

        assertThat(render(7, payload, MessageFormat.NEW))
                .isEqualTo("{\"msg\":" + payload + ",\"mid\":7,\"gid\":0}");
    }

    @Test
    void escapesQuotesBackslashesAndShortControlsAsGoDid() {
        assertThat(oldMsg("a\"b\\c\nd\re\tf")).isEqualTo("a\\\"b\\\\c\\nd\\re\\tf");
    }

    @Test
    void escapesOtherControlCharactersAsLowerCaseUnicodeEscapes() {
        assertThat(oldMsg("\u0000\u0001\b\f\u001f\u001b"))
                .isEqualTo("\\u0000\\u0001\\u0008\\u000c\\u001f\\u001b");
    }

    @Test
    void escapesHtmlSpecialCharactersAsGoDid() {
        assertThat(oldMsg("<script>&amp;</script>"))
                .isEqualTo("\\u003cscript\\u003e\\u0026amp;\\u003c/script\\u003e");
    }

    @Test
    void escapesLineAndParagraphSeparators() {
        assertThat(oldMsg("a\u2028b\u2029c")).isEqualTo("a\\u2028b\\u2029c");
    }

    @Test
    void copiesNonAsciiAndDelAsTheyAre() {
        assertThat(oldMsg("é中😀\u007f/'")).isEqualTo("é中😀\u007f/'");
    }

    @Test
    void replacesEachByteOfInvalidUtf8WithTheReplacementCharacter() {
        // A lone continuation byte, a truncated sequence, an overlong '/', an encoded surrogate.
        byte[] payload = {
            'a',
            (byte) 0x80,
            'b',
            (byte) 0xe4,
            (byte) 0xb8,
            'c',
            (byte) 0xc0,
            (byte) 0xaf,
            'd',
            (byte) 0xed,
            (byte) 0xa0,
            (byte) 0x80
        };

        String json = new String(MessageJson.render(1, payload, MessageFormat.OLD), UTF8);

        assertThat(json)
                .isEqualTo(
                        "{\"msg\":\"a\\ufffdb\\ufffd\\ufffdc\\ufffd\\ufffdd\\ufffd\\ufffd\\ufffd\","
                                + "\"mid\":1,\"gid\":0}");
        assertThat(MessageJson.length(1, payload, MessageFormat.OLD)).isEqualTo(json.length());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"test\":1}",
                "\"just a string\"",
                "42",
                "[1,\"two\",{\"three\":[3]}]",
                "{\"q\":\"say \\\"hi\\\"\",\"path\":\"C:\\\\dir\\\\file\"}",
                "{\"nl\":\"line1\\nline2\",\"raw\":\"tab\there\"}",
                "{\"ctl\":\"\u0001\u001f\b\f\"}",
                "{\"html\":\"<b>&nbsp;</b>\"}",
                "{\"ü\":\"Grüße, 你好, 😀, \u2028\u2029\"}",
                "{ \"spaced\" : [ 1 , 2 ] }",
            })
    void theOldFormatsMsgParsesBackToExactlyThePayload(String payload) throws Exception {
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);

        byte[] json = MessageJson.render(123456789012345678L, bytes, MessageFormat.OLD);

        JsonNode tree = JSON.readTree(json);
        assertThat(tree.get("msg").isTextual()).isTrue();
        assertThat(tree.get("msg").textValue()).isEqualTo(payload);
        assertThat(tree.get("mid").longValue()).isEqualTo(123456789012345678L);
        assertThat(tree.get("gid").intValue()).isZero();
        assertThat(tree.size()).isEqualTo(3);
        assertThat(json).hasSize(MessageJson.length(123456789012345678L, bytes, MessageFormat.OLD));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"test\":1}", "[\"é\",\"<&>\"]", "\"\u2028\""})
    void theNewFormatsMsgIsThePayloadItself(String payload) throws Exception {
        byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);

        byte[] json = MessageJson.render(1, bytes, MessageFormat.NEW);

        assertThat(JSON.readTree(json).get("msg")).isEqualTo(JSON.readTree(bytes));
        assertThat(json).hasSize(MessageJson.length(1, bytes, MessageFormat.NEW));
    }

    @Test
    void midsOfEveryMagnitudeHaveTheirExactLength() {
        byte[] payload = {'1'};
        for (long mid :
                new long[] {
                    0,
                    1,
                    9,
                    10,
                    99,
                    100,
                    -1,
                    -10,
                    Long.MAX_VALUE,
                    Long.MIN_VALUE,
                    1L << 53,
                    (1L << 53) + 1
                }) {
            String json = new String(MessageJson.render(mid, payload, MessageFormat.NEW), UTF8);
            assertThat(json).isEqualTo("{\"msg\":1,\"mid\":" + mid + ",\"gid\":0}");
            byte[] exact = MessageJson.render(mid, payload, MessageFormat.EXACT);
            assertThat(new String(exact, UTF8))
                    .isEqualTo("{\"msg\":1,\"mid\":\"" + mid + "\",\"gid\":0}");
            assertThat(exact).hasSize(MessageJson.length(mid, payload, MessageFormat.EXACT));
        }
    }

    @Test
    void theFormatFollowsTheVersion() {
        assertThat(MessageFormat.forVersion(null)).isEqualTo(MessageFormat.OLD);
        assertThat(MessageFormat.forVersion("")).isEqualTo(MessageFormat.OLD);
        assertThat(MessageFormat.forVersion("1.0")).isEqualTo(MessageFormat.NEW);
        // (Pushbase) exactly one reserved value; anything near it keeps its gopush meaning.
        assertThat(MessageFormat.forVersion("pushbase.1")).isEqualTo(MessageFormat.EXACT);
        for (String near : new String[] {"pushbase.2", "Pushbase.1", "pushbase.1 ", "pushbase"}) {
            assertThat(MessageFormat.forVersion(near)).as(near).isEqualTo(MessageFormat.NEW);
        }
    }

    private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;

    private static String render(long mid, String payload, MessageFormat format) {
        return new String(MessageJson.render(mid, payload.getBytes(UTF8), format), UTF8);
    }

    /** The old format's msg string as it appears on the wire, between its quotes. */
    private static String oldMsg(String payload) {
        String json = render(1, payload, MessageFormat.OLD);
        String prefix = "{\"msg\":\"";
        String suffix = "\",\"mid\":1,\"gid\":0}";
        assertThat(json).startsWith(prefix).endsWith(suffix);
        assertThat(json.getBytes(UTF8))
                .hasSize(MessageJson.length(1, payload.getBytes(UTF8), MessageFormat.OLD));
        return json.substring(prefix.length(), json.length() - suffix.length());
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(MessageFormat.class)
    void aRoomMessageIsTheMessageWithItsRoomLast(MessageFormat format) {
        byte[] payload = "{\"hi\":\"<&>\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String plain =
                new String(
                        MessageJson.render(17952546363411610L, payload, format),
                        java.nio.charset.StandardCharsets.UTF_8);
        byte[] room = MessageJson.renderRoom(17952546363411610L, payload, format, "game.7");
        org.assertj.core.api.Assertions.assertThat(
                        new String(room, java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(plain.substring(0, plain.length() - 1) + ",\"room\":\"game.7\"}");
        org.assertj.core.api.Assertions.assertThat(room)
                .hasSize(MessageJson.roomLength(17952546363411610L, payload, format, "game.7"));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(MessageFormat.class)
    void aBroadcastIsAPublicMessageGidOne(MessageFormat format) {
        byte[] json = MessageJson.renderRoom(5, "1".getBytes(), format, Rooms.ALL);
        org.assertj.core.api.Assertions.assertThat(
                        new String(json, java.nio.charset.StandardCharsets.UTF_8))
                .endsWith(",\"gid\":1,\"room\":\"*\"}");
        org.assertj.core.api.Assertions.assertThat(json)
                .hasSize(MessageJson.roomLength(5, "1".getBytes(), format, Rooms.ALL));
    }

    @org.junit.jupiter.api.Test
    void theRoomRuleAdmitsTheSafeCharactersOnly() {
        org.assertj.core.api.Assertions.assertThat(Rooms.problem("Game.7_a-b:c")).isNull();
        org.assertj.core.api.Assertions.assertThat(Rooms.problem("r".repeat(128))).isNull();
        org.assertj.core.api.Assertions.assertThat(Rooms.problem("r".repeat(129)))
                .contains("129 characters");
        org.assertj.core.api.Assertions.assertThat(Rooms.problem("r".repeat(65), 64))
                .contains("at most 64");
        for (String bad : new String[] {"", "a b", "a,b", "a@1", "a\"", "é", "a\r\n", "a/b", "*"}) {
            org.assertj.core.api.Assertions.assertThat(Rooms.problem(bad)).as(bad).isNotNull();
        }
    }
}
