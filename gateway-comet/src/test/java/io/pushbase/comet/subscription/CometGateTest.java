package io.pushbase.comet.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pushbase.cluster.token.TokenIssuer;
import io.pushbase.cluster.token.TokenVerifier;
import io.pushbase.comet.channel.KeyChannels;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CometGateTest {
    private static final byte[] SECRET =
            "comet gate test secret, long enough".getBytes(StandardCharsets.UTF_8);
    private final MetricRegistry metrics = new MetricRegistry();
    private final KeyChannels channels = new KeyChannels(1, metrics);
    private final TokenIssuer issuer = new TokenIssuer(SECRET, Clock.systemUTC());
    private final Optional<TokenVerifier> auth =
            Optional.of(new TokenVerifier(SECRET, null, 5, Clock.systemUTC()));

    private Admission admit(CometGate gate, String key, String token) {
        Subscription s = new Subscription(key, 30, token, "1");
        return gate.admit(
                s, new ChannelSubscriber(new EmbeddedChannel(), s, 120, metrics.counter("slow")));
    }

    @Test
    void withAuthOffAnyOwnedKeyIsAdmittedUntilItsChannelIsFull() {
        CometGate gate = new CometGate(Optional.empty(), key -> true, channels, metrics);
        assertThat(admit(gate, "k", "")).isEqualTo(Admission.OK);
        assertThat(admit(gate, "k", "")).isEqualTo(Admission.REJECT_CHANNEL);
        assertThat(channels.count("k")).isEqualTo(1);
    }

    @Test
    void withAuthOnOnlyAValidTokenForTheKeyGetsIn() {
        CometGate gate = new CometGate(auth, key -> true, channels, metrics);
        assertThat(admit(gate, "alice", "")).isEqualTo(Admission.REJECT_AUTH);
        assertThat(admit(gate, "alice", "garbage")).isEqualTo(Admission.REJECT_AUTH);
        assertThat(admit(gate, "alice", issuer.issue("bob", Duration.ofMinutes(1))))
                .isEqualTo(Admission.REJECT_AUTH);
        assertThat(admit(gate, "alice", issuer.issue("alice", Duration.ofMinutes(1))))
                .isEqualTo(Admission.OK);
        assertThat(metrics.counter("comet.auth.missing").getCount()).isEqualTo(1);
        assertThat(metrics.counter("comet.auth.invalid").getCount()).isEqualTo(1);
        assertThat(metrics.counter("comet.auth.wrong_key").getCount()).isEqualTo(1);
    }

    @Test
    void aKeyThatMovesAwayWhileItsConnectionIsBeingAddedIsStillSentAway() {
        // Owned at the first check, moved by the time the connection is in its channel.
        java.util.concurrent.atomic.AtomicInteger checks =
                new java.util.concurrent.atomic.AtomicInteger();
        CometGate gate =
                new CometGate(
                        Optional.empty(), key -> checks.incrementAndGet() == 1, channels, metrics);
        Subscription s = new Subscription("racing", 30, "", "1");
        EmbeddedChannel ch = new EmbeddedChannel();
        assertThat(gate.admit(s, new ChannelSubscriber(ch, s, 120, metrics.counter("slow"))))
                .isEqualTo(Admission.REJECT_NOT_OWNER);
        ch.close(); // what the handler does with a refusal
        assertThat(channels.count("racing")).isZero();
    }

    @Test
    void aKeyThatBelongsElsewhereIsSentAwayBeforeTakingASlot() {
        CometGate gate =
                new CometGate(Optional.empty(), key -> !key.equals("moved"), channels, metrics);
        assertThat(admit(gate, "moved", "")).isEqualTo(Admission.REJECT_NOT_OWNER);
        assertThat(channels.count("moved")).isZero();
        assertThat(metrics.counter("comet.gate.not_owner").getCount()).isEqualTo(1);
    }
}
