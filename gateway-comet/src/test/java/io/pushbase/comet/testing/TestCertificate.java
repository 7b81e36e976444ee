package io.pushbase.comet.testing;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.PBEParameterSpec;
import javax.net.ssl.SSLContext;

/**
 * A server certificate for {@code localhost} and {@code 127.0.0.1} issued by a throwaway test CA,
 * written as the PEM files an operator would configure (certificate chain, PKCS#8 key), and a
 * client {@link SSLContext} that trusts that CA.
 */
public final class TestCertificate {
    private static final String PBE = "PBEWithHmacSHA256AndAES_256";

    private final X509Bundle root;
    private final X509Bundle bundle;
    private final Path chain;
    private final Path key;

    private TestCertificate(X509Bundle root, X509Bundle bundle, Path chain, Path key) {
        this.root = root;
        this.bundle = bundle;
        this.chain = chain;
        this.key = key;
    }

    /**
     * Generates a certificate and writes {@code chain.pem} and {@code key.pem} into {@code dir}.
     */
    public static TestCertificate create(Path dir) throws Exception {
        X509Bundle root =
                new CertificateBuilder()
                        .subject("CN=Pushbase Test CA")
                        .setIsCertificateAuthority(true)
                        .ecp256()
                        .buildSelfSigned();
        X509Bundle bundle =
                new CertificateBuilder()
                        .subject("CN=localhost")
                        .addSanDnsName("localhost")
                        .addSanIpAddress("127.0.0.1")
                        .addExtendedKeyUsageServerAuth()
                        .ecp256()
                        .buildIssuedBy(root);
        Path chain = Files.writeString(dir.resolve("chain.pem"), bundle.getCertificatePathPEM());
        Path key = Files.writeString(dir.resolve("key.pem"), bundle.getPrivateKeyPEM());
        return new TestCertificate(root, bundle, chain, key);
    }

    public Path chain() {
        return chain;
    }

    /** The unencrypted PKCS#8 key ({@code BEGIN PRIVATE KEY}). */
    public Path key() {
        return key;
    }

    /** Writes the key encrypted with {@code password} (PKCS#8 PBES2, AES-256) to {@code file}. */
    public Path writeEncryptedKey(Path file, String password) throws Exception {
        SecureRandom random = new SecureRandom();
        byte[] salt = new byte[16];
        byte[] iv = new byte[16];
        random.nextBytes(salt);
        random.nextBytes(iv);
        Cipher cipher = Cipher.getInstance(PBE);
        cipher.init(
                Cipher.ENCRYPT_MODE,
                SecretKeyFactory.getInstance(PBE)
                        .generateSecret(new PBEKeySpec(password.toCharArray())),
                new PBEParameterSpec(salt, 10_000, new IvParameterSpec(iv)));
        byte[] encrypted = cipher.doFinal(bundle.getKeyPair().getPrivate().getEncoded());
        // Named PBES2 (its OID), as openssl pkcs8 -topk8 -v2 aes-256-cbc writes it; the JDK knows
        // no OID for the cipher's own name.
        AlgorithmParameters pbes2 = AlgorithmParameters.getInstance("PBES2");
        pbes2.init(cipher.getParameters().getEncoded());
        EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(pbes2, encrypted);
        String pem =
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
                        + Base64.getMimeEncoder(64, new byte[] {'\n'})
                                .encodeToString(info.getEncoded())
                        + "\n-----END ENCRYPTED PRIVATE KEY-----\n";
        return Files.write(file, pem.getBytes(StandardCharsets.US_ASCII));
    }

    /** A client context that trusts only the test CA that issued this certificate. */
    public SSLContext clientContext() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, root.toTrustManagerFactory().getTrustManagers(), null);
        return context;
    }
}
