package io.pushbase.cluster.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenConfigurationTest {

    @Test
    void authIsOffByDefaultAndThenChecksNothing() throws Exception {
        TokenConfiguration config = new TokenConfiguration();
        assertThat(config.isUsable()).isTrue();
        assertThat(config.buildVerifier()).isEmpty();
        assertThat(config.buildIssuer()).isEmpty();
    }

    @Test
    void authOnNeedsALongEnoughSecretOrAPublicKey() {
        TokenConfiguration config = new TokenConfiguration();
        config.setEnabled(true);
        assertThat(config.isUsable()).isFalse();
        config.setSecret("too short");
        assertThat(config.isUsable()).isFalse();
        config.setSecret("x".repeat(32));
        assertThat(config.isUsable()).isTrue();
    }

    @Test
    void tokensIssuedByTheConfigurationPassItsVerifier() throws Exception {
        TokenConfiguration config = new TokenConfiguration();
        config.setEnabled(true);
        config.setSecret("a secret shared by comets and webs!");
        String token = config.buildIssuer().orElseThrow().issue("k", Duration.ofMinutes(1));
        assertThat(config.buildVerifier().orElseThrow().check(token, "k"))
                .isEqualTo(TokenCheck.VALID);
    }

    @Test
    void aPemPublicKeyIsRead(@TempDir Path dir) throws Exception {
        var generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        var pair = generator.generateKeyPair();
        Path pem = dir.resolve("jwt.pub.pem");
        Files.writeString(
                pem,
                "-----BEGIN PUBLIC KEY-----\n"
                        + Base64.getMimeEncoder().encodeToString(pair.getPublic().getEncoded())
                        + "\n-----END PUBLIC KEY-----\n");
        assertThat(TokenConfiguration.readPublicKey(pem)).isEqualTo(pair.getPublic());
    }
}
