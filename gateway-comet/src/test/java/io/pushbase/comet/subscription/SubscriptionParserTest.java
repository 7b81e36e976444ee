package io.pushbase.comet.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pushbase.schema.client.MessageFormat;
import org.junit.jupiter.api.Test;

class SubscriptionParserTest {
    private final SubscriptionParser parser = new SubscriptionParser(30);

    @Test
    void absentTokenAndVersionAreEmpty() throws Exception {
        Subscription s = parser.parse("k", "30", null, null);

        assertThat(s).isEqualTo(new Subscription("k", 30, "", ""));
        assertThat(s.messageFormat()).isEqualTo(MessageFormat.OLD);
    }

    @Test
    void aVersionSelectsTheNewFormat() throws Exception {
        assertThat(parser.parse("k", "30", "", "1").messageFormat()).isEqualTo(MessageFormat.NEW);
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
            assertThatThrownBy(() -> parser.parse(c[0], c[1], null, null))
                    .as("key %s heartbeat %s", c[0], c[1])
                    .isInstanceOf(InvalidSubscriptionException.class);
        }
    }

    @Test
    void readsHeartbeatsAsGoAtoiDoes() throws Exception {
        assertThat(parser.parse("k", "+45", null, null).heartbeatSeconds()).isEqualTo(45);
        assertThat(parser.parse("k", "0045", null, null).heartbeatSeconds()).isEqualTo(45);
        assertThat(parser.parse("k", "2147483647", null, null).heartbeatSeconds())
                .isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void neverPrintsTheToken() {
        assertThat(new Subscription("k", 30, "secret", "").toString()).doesNotContain("secret");
    }
}
