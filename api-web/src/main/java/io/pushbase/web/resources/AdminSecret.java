package io.pushbase.web.resources;

import io.pushbase.web.reply.Answer;
import io.pushbase.web.reply.Ret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * (Pushbase) The admin API's optional bearer secret: a request is allowed when it carries {@code
 * Authorization: Bearer <secret>}, or when no secret is configured. The comparison takes the same
 * time whatever the guess. A refused request is answered status 401 with {@link #REFUSED} ({@code
 * {"ret":1002}}). Used by every route of the admin API, whether Jersey serves it ({@link
 * AdminSecretFilter}) or a plain servlet filter does ({@link AdminPushRoutes}). Immutable and
 * thread-safe.
 */
public final class AdminSecret {
    /** The answer to a request without the right secret. */
    public static final Answer REFUSED =
            Answer.error(Ret.UNAUTHORISED, "admin API: missing or wrong bearer secret");

    private static final String BEARER = "Bearer ";
    private final byte[] secret;

    /**
     * @param secret the secret; empty means no secret is required
     */
    public AdminSecret(String secret) {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    /** Whether a request with this {@code Authorization} header (may be null) is allowed. */
    public boolean allows(String authorization) {
        if (secret.length == 0) {
            return true;
        }
        byte[] given =
                authorization != null && authorization.startsWith(BEARER)
                        ? authorization.substring(BEARER.length()).getBytes(StandardCharsets.UTF_8)
                        : new byte[0];
        return MessageDigest.isEqual(given, secret);
    }
}
