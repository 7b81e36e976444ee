package io.pushbase.web.reply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.pushbase.schema.client.MessageFormat;
import io.pushbase.schema.message.v1.StoredMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Answer bodies byte for byte as gopush-cluster's Go encoder wrote them (docs/PROTOCOL.md 1, 2, 5).
 */
class DataTest {
    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static StoredMessage message(long mid, String payload) {
        return StoredMessage.newBuilder()
                .setMid(mid)
                .setPayload(ByteString.copyFromUtf8(payload))
                .build();
    }

    @Test
    void answersSortTheirKeysAsGoMapsDid() {
        assertThat(s(Answer.ok().render(false))).isEqualTo("{\"ret\":0}");
        assertThat(s(Answer.ok().render(true))).isEqualTo("{\"msg\":\"ok\",\"ret\":0}");
        assertThat(s(Answer.ok(Data.server("h:1")).render(false)))
                .isEqualTo("{\"data\":{\"server\":\"h:1\"},\"ret\":0}");
        assertThat(s(Answer.ok(Data.timeId(42)).render(true)))
                .isEqualTo("{\"data\":{\"timeid\":42},\"msg\":\"ok\",\"ret\":0}");
        assertThat(s(Answer.error(Ret.NO_COMET, "none").render(true)))
                .isEqualTo("{\"msg\":\"ok\",\"ret\":1001}");
    }

    @Test
    void theCompletenessAnswerIsTheFirstFieldOfData() {
        assertThat(s(Answer.ok(Data.withComplete(true, null)).render(false)))
                .isEqualTo("{\"data\":{\"complete\":true},\"ret\":0}");
        assertThat(
                        s(
                                Answer.ok(
                                                Data.withComplete(
                                                        false,
                                                        Data.messages(
                                                                List.of(message(7, "{\"a\":1}")))))
                                        .render(false)))
                .isEqualTo(
                        "{\"data\":{\"complete\":false,\"msgs\":[{\"msg\":{\"a\":1},\"mid\":7,\"gid\":0}]},\"ret\":0}");
        assertThat(
                        s(
                                Answer.ok(
                                                Data.withComplete(
                                                        true,
                                                        Data.oldMessages(List.of(message(7, "1")))))
                                        .render(true)))
                .isEqualTo(
                        "{\"data\":{\"complete\":true,\"msgs\":[\"{\\\"msg\\\":\\\"1\\\",\\\"mid\\\":7,\\\"gid\\\":0}\"],\"pmsgs\":[]},\"msg\":\"ok\",\"ret\":0}");
    }

    @Test
    void errorAnswersCarryNoDataAndNeedACode() {
        Answer error = Answer.error(Ret.PARAM, "why");
        assertThat(s(error.render(false))).isEqualTo("{\"ret\":65534}");
        assertThat(error.problem()).isEqualTo("why");
        assertThatThrownBy(() -> Answer.error(Ret.OK, "no"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Answer.ok(new byte[0])).isSameAs(Answer.ok());
    }

    @Test
    void newFormatMessagesPassThePayloadThroughVerbatimWithExactMids() {
        long big = (1L << 53) + 1; // a double would have lost it
        assertThat(
                        s(
                                Data.messages(
                                        List.of(
                                                message(17952546403772882L, "{\"test\":1}"),
                                                message(big, "[1, 2]")))))
                .isEqualTo(
                        "{\"msgs\":[{\"msg\":{\"test\":1},\"mid\":17952546403772882,\"gid\":0},"
                                + "{\"msg\":[1, 2],\"mid\":9007199254740993,\"gid\":0}]}");
    }

    @Test
    void exactFormatMessagesCarryTheMidAsAString() {
        long big = (1L << 53) + 1;
        assertThat(s(Data.messages(List.of(message(big, "{\"test\":1}")), MessageFormat.EXACT)))
                .isEqualTo(
                        "{\"msgs\":[{\"msg\":{\"test\":1},\"mid\":\"9007199254740993\",\"gid\":0}]}");
        // The unversioned route keeps its shape: each element a string of the message JSON.
        assertThat(s(Data.oldMessages(List.of(message(big, "[1]")), MessageFormat.EXACT)))
                .isEqualTo(
                        "{\"msgs\":[\"{\\\"msg\\\":[1],\\\"mid\\\":\\\"9007199254740993\\\","
                                + "\\\"gid\\\":0}\"],\"pmsgs\":[]}");
        assertThat(
                        s(
                                Answer.ok(
                                                Data.withComplete(
                                                        true,
                                                        Data.messages(
                                                                List.of(message(7, "1")),
                                                                MessageFormat.EXACT)))
                                        .render(false)))
                .isEqualTo(
                        "{\"data\":{\"complete\":true,\"msgs\":[{\"msg\":1,\"mid\":\"7\",\"gid\":0}]},\"ret\":0}");
    }

    @Test
    void oldFormatMessagesAreStringsOfTheOldJsonEscapedTwice() {
        assertThat(s(Data.oldMessages(List.of(message(17952546363411610L, "{\"test\":1}")))))
                .isEqualTo(
                        "{\"msgs\":[\"{\\\"msg\\\":\\\"{\\\\\\\"test\\\\\\\":1}\\\","
                                + "\\\"mid\\\":17952546363411610,\\\"gid\\\":0}\"],\"pmsgs\":[]}");
        // Go's HTML-safe escaping applies at both levels.
        assertThat(s(Data.oldMessages(List.of(message(1, "\"<\"")))))
                .isEqualTo(
                        "{\"msgs\":[\"{\\\"msg\\\":\\\"\\\\\\\"\\\\u003c\\\\\\\"\\\",\\\"mid\\\":1,\\\"gid\\\":0}\"],\"pmsgs\":[]}");
    }

    @Test
    void failedKeysAndAddressesAreGoStrings() {
        assertThat(s(Data.failedKeys(List.of("a", "q\"<é"))))
                .isEqualTo("{\"fk\":[\"a\",\"q\\\"\\u003cé\"]}");
        assertThat(s(Data.servers(List.of("h:1", "h:2"))))
                .isEqualTo("{\"server\":[\"h:1\",\"h:2\"]}");
        assertThat(s(Data.token("x.y.z"))).isEqualTo("{\"token\":\"x.y.z\"}");
    }
}
