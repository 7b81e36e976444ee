package io.pushbase.cluster.token;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.util.Base64;
import java.util.Optional;

/**
 * YAML block {@code auth:} of comet and web nodes: whether subscriber tokens are required (off by
 * default, as in gopush-cluster), the HS256 shared secret, and optionally an RS256 public key (PEM,
 * {@code -----BEGIN PUBLIC KEY-----}) for tokens issued elsewhere.
 */
public class TokenConfiguration {
    private boolean enabled = false;

    /** HS256 secret shared by every comet and web node; at least 32 bytes when auth is on. */
    private String secret;

    /** Optional path of an RS256 public key in PEM (X.509 SubjectPublicKeyInfo). */
    private String rsaPublicKeyFile;

    @Min(0)
    @Max(300)
    private long leewaySeconds = 5;

    @JsonProperty
    public boolean isEnabled() {
        return enabled;
    }

    @JsonProperty
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    @JsonProperty
    public String getSecret() {
        return secret;
    }

    @JsonProperty
    public void setSecret(String secret) {
        this.secret = secret;
    }

    @JsonProperty
    public String getRsaPublicKeyFile() {
        return rsaPublicKeyFile;
    }

    @JsonProperty
    public void setRsaPublicKeyFile(String rsaPublicKeyFile) {
        this.rsaPublicKeyFile = rsaPublicKeyFile;
    }

    @JsonProperty
    public long getLeewaySeconds() {
        return leewaySeconds;
    }

    @JsonProperty
    public void setLeewaySeconds(long leewaySeconds) {
        this.leewaySeconds = leewaySeconds;
    }

    /** Validation: with auth on, a secret of at least 32 bytes or a public key is required. */
    @AssertTrue(message = "auth.enabled needs auth.secret (>= 32 bytes) or auth.rsaPublicKeyFile")
    public boolean isUsable() {
        return !enabled
                || secretBytes().length >= 32
                || (rsaPublicKeyFile != null && !rsaPublicKeyFile.isBlank());
    }

    private byte[] secretBytes() {
        return secret == null ? new byte[0] : secret.getBytes(StandardCharsets.UTF_8);
    }

    /** The token check, or empty when auth is off. */
    public Optional<TokenVerifier> buildVerifier() throws IOException, GeneralSecurityException {
        if (!enabled) {
            return Optional.empty();
        }
        byte[] hmac = secretBytes().length > 0 ? secretBytes() : null;
        RSAPublicKey rsa =
                rsaPublicKeyFile == null || rsaPublicKeyFile.isBlank()
                        ? null
                        : readPublicKey(Path.of(rsaPublicKeyFile));
        return Optional.of(new TokenVerifier(hmac, rsa, leewaySeconds, Clock.systemUTC()));
    }

    /** The token issuer (web nodes), or empty when auth is off or there is no shared secret. */
    public Optional<TokenIssuer> buildIssuer() {
        return enabled && secretBytes().length > 0
                ? Optional.of(new TokenIssuer(secretBytes(), Clock.systemUTC()))
                : Optional.empty();
    }

    static RSAPublicKey readPublicKey(Path pem) throws IOException, GeneralSecurityException {
        String base64 =
                Files.readString(pem, StandardCharsets.US_ASCII)
                        .replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "")
                        .replaceAll("\\s", "");
        return (RSAPublicKey)
                KeyFactory.getInstance("RSA")
                        .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }
}
