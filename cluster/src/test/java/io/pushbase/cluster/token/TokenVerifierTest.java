package io.pushbase.cluster.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class TokenVerifierTest {
    private static final byte[] SECRET =
            "a shared secret of enough length".getBytes(StandardCharsets.UTF_8);
    private static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final TokenIssuer issuer = new TokenIssuer(SECRET, clock);
    private final TokenVerifier verifier = new TokenVerifier(SECRET, null, 5, clock);

    @Test
    void anIssuedTokenEntitlesItsKeyAndNoOther() {
        String token = issuer.issue("Terry-Mao", Duration.ofMinutes(10));
        assertThat(verifier.check(token, "Terry-Mao")).isEqualTo(TokenCheck.VALID);
        assertThat(verifier.check(token, "someone-else")).isEqualTo(TokenCheck.WRONG_KEY);
    }

    @Test
    void expiryIsHonouredWithTheLeeway() {
        String token = issuer.issue("k", Duration.ofSeconds(60));
        Clock later = Clock.fixed(NOW.plusSeconds(64), ZoneOffset.UTC);
        Clock tooLate = Clock.fixed(NOW.plusSeconds(66), ZoneOffset.UTC);
        assertThat(new TokenVerifier(SECRET, null, 5, later).check(token, "k"))
                .isEqualTo(TokenCheck.VALID);
        assertThat(new TokenVerifier(SECRET, null, 5, tooLate).check(token, "k"))
                .isEqualTo(TokenCheck.EXPIRED);
    }

    @Test
    void missingGarbageForeignAndUnsignedTokensAreRefused() {
        assertThat(verifier.check(null, "k")).isEqualTo(TokenCheck.MISSING);
        assertThat(verifier.check("", "k")).isEqualTo(TokenCheck.MISSING);
        assertThat(verifier.check("not-a-jwt", "k")).isEqualTo(TokenCheck.INVALID);
        String foreign =
                new TokenIssuer(
                                "another secret entirely, also long"
                                        .getBytes(StandardCharsets.UTF_8),
                                clock)
                        .issue("k", Duration.ofMinutes(1));
        assertThat(verifier.check(foreign, "k")).isEqualTo(TokenCheck.INVALID);
        String unsigned =
                JWT.create()
                        .withSubject("k")
                        .withExpiresAt(NOW.plusSeconds(60))
                        .sign(Algorithm.none());
        assertThat(verifier.check(unsigned, "k")).isEqualTo(TokenCheck.INVALID);
    }

    @Test
    void aTamperedSubjectBreaksTheSignature() {
        String token = issuer.issue("alice", Duration.ofMinutes(1));
        String[] parts = token.split("\\.");
        String payload =
                new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                        .replace("alice", "bob");
        String forged =
                parts[0]
                        + "."
                        + Base64.getUrlEncoder()
                                .withoutPadding()
                                .encodeToString(payload.getBytes(StandardCharsets.UTF_8))
                        + "."
                        + parts[2];
        assertThat(verifier.check(forged, "bob")).isEqualTo(TokenCheck.INVALID);
    }

    @Test
    void aTokenWithoutExpiryIsRefused() {
        String eternal = JWT.create().withSubject("k").sign(Algorithm.HMAC256(SECRET));
        assertThat(verifier.check(eternal, "k")).isEqualTo(TokenCheck.INVALID);
    }

    @Test
    void rs256TokensAreAcceptedWhenAPublicKeyIsConfigured() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        String token =
                JWT.create()
                        .withSubject("k")
                        .withExpiresAt(NOW.plusSeconds(60))
                        .sign(Algorithm.RSA256(null, (RSAPrivateKey) pair.getPrivate()));
        TokenVerifier both = new TokenVerifier(SECRET, (RSAPublicKey) pair.getPublic(), 5, clock);
        assertThat(both.check(token, "k")).isEqualTo(TokenCheck.VALID);
        assertThat(both.check(issuer.issue("k", Duration.ofMinutes(1)), "k"))
                .isEqualTo(TokenCheck.VALID);
        assertThat(verifier.check(token, "k"))
                .as("no public key configured")
                .isEqualTo(TokenCheck.INVALID);
    }

    @Test
    void theRoomsClaimComesOnlyWithATokenValidForTheKey() {
        String token =
                issuer.issue(
                        "alice",
                        java.time.Duration.ofMinutes(5),
                        java.util.List.of("game.*", "lobby"));
        org.assertj.core.api.Assertions.assertThat(verifier.rooms(token, "alice"))
                .containsExactly("game.*", "lobby");
        org.assertj.core.api.Assertions.assertThat(verifier.rooms(token, "bob")).isEmpty();
        org.assertj.core.api.Assertions.assertThat(
                        verifier.rooms(
                                issuer.issue("alice", java.time.Duration.ofMinutes(5)), "alice"))
                .isEmpty();
        org.assertj.core.api.Assertions.assertThat(verifier.rooms("not.a.jwt", "alice")).isEmpty();
    }
}
