package io.pushbase.comet.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pushbase.schema.client.MessageFormat;
import io.pushbase.schema.client.MessageJson;
import org.junit.jupiter.api.Test;

class PushMessageTest {
    @Test
    void aPushMessageNeedsAPayload() {
        assertThatThrownBy(() -> new PushMessage(1, new byte[0], MessageFormat.NEW))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void itsJsonLengthIsTheRenderedLength() {
        byte[] payload = "{\"a\":\"<b>\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (MessageFormat format : MessageFormat.values()) {
            PushMessage message = new PushMessage(17952546363411610L, payload, format);
            assertThat(message.jsonLength())
                    .isEqualTo(MessageJson.render(message.mid(), payload, format).length);
        }
    }
}
