package io.pushbase.comet.server;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.validation.ValidationMethod;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * YAML block {@code tls:} of one comet listener: whether clients connect over TLS ({@code wss://}
 * for WebSocket), and the PEM files of the server's certificate chain and private key. Off by
 * default: gopush-cluster clients speak plain TCP and {@code ws://}, so turn it on per listener
 * (typically WebSocket only, for browsers on {@code https} pages).
 *
 * <p>Builds a Netty server {@link SslContext} with the JDK's TLS implementation and its default
 * protocols and cipher suites (TLS 1.3 and 1.2 on JDK 17). The key must be PKCS#8 ({@code BEGIN
 * PRIVATE KEY}, or {@code BEGIN ENCRYPTED PRIVATE KEY} with {@code privateKeyPassword}); convert a
 * PKCS#1 key with {@code openssl pkcs8 -topk8}. Files are read once, at start.
 */
public class TlsConfiguration {
    private boolean enabled = false;

    /** PEM file: the server certificate first, then any intermediates. */
    private String certificateChain;

    /** PEM file: the PKCS#8 private key of the first certificate. */
    private String privateKey;

    /** Password of an encrypted private key; absent for an unencrypted one. */
    private String privateKeyPassword;

    @JsonProperty
    public boolean isEnabled() {
        return enabled;
    }

    @JsonProperty
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    @JsonProperty
    public String getCertificateChain() {
        return certificateChain;
    }

    @JsonProperty
    public void setCertificateChain(String certificateChain) {
        this.certificateChain = certificateChain;
    }

    @JsonProperty
    public String getPrivateKey() {
        return privateKey;
    }

    @JsonProperty
    public void setPrivateKey(String privateKey) {
        this.privateKey = privateKey;
    }

    @JsonProperty
    public String getPrivateKeyPassword() {
        return privateKeyPassword;
    }

    @JsonProperty
    public void setPrivateKeyPassword(String privateKeyPassword) {
        this.privateKeyPassword = privateKeyPassword;
    }

    @JsonIgnore
    @ValidationMethod(
            message =
                    "certificateChain and privateKey must name readable files when TLS is enabled")
    public boolean isReadableWhenEnabled() {
        return !enabled || (readable(certificateChain) && readable(privateKey));
    }

    private static boolean readable(String path) {
        return path != null && !path.isBlank() && Files.isReadable(Path.of(path));
    }

    /**
     * The server context, or empty when TLS is off.
     *
     * @throws SSLException if the files do not hold a certificate chain and a matching key (or the
     *     password is wrong); the message names both files
     */
    public Optional<SslContext> buildSslContext() throws SSLException {
        if (!enabled) {
            return Optional.empty();
        }
        try {
            return Optional.of(
                    SslContextBuilder.forServer(
                                    new File(certificateChain),
                                    new File(privateKey),
                                    privateKeyPassword)
                            .build());
        } catch (SSLException | IllegalArgumentException e) {
            throw new SSLException(
                    "Cannot build TLS from certificateChain "
                            + certificateChain
                            + " and privateKey "
                            + privateKey
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }
}
