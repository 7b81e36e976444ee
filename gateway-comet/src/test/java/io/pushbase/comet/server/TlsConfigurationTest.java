package io.pushbase.comet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dropwizard.validation.BaseValidator;
import io.netty.handler.ssl.SslContext;
import io.pushbase.comet.testing.TestCertificate;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsConfigurationTest {
    private final Validator validator = BaseValidator.newValidator();

    @TempDir Path dir;

    private static TlsConfiguration enabled(Path chain, Path key) {
        TlsConfiguration tls = new TlsConfiguration();
        tls.setEnabled(true);
        tls.setCertificateChain(chain.toString());
        tls.setPrivateKey(key.toString());
        return tls;
    }

    @Test
    void tlsIsOffByDefaultAndBuildsNoContext() throws Exception {
        TlsConfiguration tls = new TlsConfiguration();

        assertThat(tls.isEnabled()).isFalse();
        assertThat(validator.validate(tls)).isEmpty();
        assertThat(tls.buildSslContext()).isEmpty();
    }

    @Test
    void enablingTlsWithoutReadableFilesIsRefusedAtValidation() {
        TlsConfiguration tls = new TlsConfiguration();
        tls.setEnabled(true);
        assertThat(validator.validate(tls))
                .extracting(ConstraintViolation::getMessage)
                .containsExactly(
                        "certificateChain and privateKey must name readable files when TLS is"
                                + " enabled");

        TlsConfiguration missing = enabled(dir.resolve("nope.pem"), dir.resolve("nope.key"));
        assertThat(validator.validate(missing)).hasSize(1);
    }

    @Test
    void aPemChainAndAPkcs8KeyBuildAServerContext() throws Exception {
        TestCertificate certificate = TestCertificate.create(dir);
        assertThat(Files.readString(certificate.key())).startsWith("-----BEGIN PRIVATE KEY-----");
        TlsConfiguration tls = enabled(certificate.chain(), certificate.key());

        assertThat(validator.validate(tls)).isEmpty();
        SslContext context = tls.buildSslContext().orElseThrow();
        assertThat(context.isServer()).isTrue();
    }

    @Test
    void anEncryptedKeyOpensWithItsPasswordOnly() throws Exception {
        TestCertificate certificate = TestCertificate.create(dir);
        Path key = certificate.writeEncryptedKey(dir.resolve("encrypted.pem"), "s3cret");
        TlsConfiguration tls = enabled(certificate.chain(), key);

        tls.setPrivateKeyPassword("s3cret");
        assertThat(tls.buildSslContext()).isPresent();

        tls.setPrivateKeyPassword("wrong");
        assertThatThrownBy(tls::buildSslContext)
                .isInstanceOf(SSLException.class)
                .hasMessageContaining("certificateChain " + certificate.chain())
                .hasMessageContaining("privateKey " + key);
    }

    @Test
    void aFileThatHoldsNoCertificateFailsTheBuildNamingIt() throws Exception {
        TestCertificate certificate = TestCertificate.create(dir);
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate\n");
        TlsConfiguration tls = enabled(garbage, certificate.key());

        assertThatThrownBy(tls::buildSslContext)
                .isInstanceOf(SSLException.class)
                .hasMessageContaining(garbage.toString());
    }
}
