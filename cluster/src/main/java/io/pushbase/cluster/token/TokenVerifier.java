package io.pushbase.cluster.token;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.IncorrectClaimException;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks that a token entitles its bearer to a key: a JWT signed with HS256 (shared secret) or,
 * when a public key is configured, RS256; {@code sub} equal to the key; {@code exp} present and in
 * the future (with a small leeway for clock skew).
 *
 * <p>Immutable and thread-safe; verification is CPU only (no I/O), cheap enough for an event loop.
 * Never throws for a bad token: the result says why it was refused.
 */
public final class TokenVerifier {
    private final List<JWTVerifier> verifiers;
    private final long leewaySeconds;

    /**
     * @param hmacSecret HS256 secret, or null to accept no HS256 tokens
     * @param rsaPublicKey RS256 public key, or null to accept no RS256 tokens
     * @param leewaySeconds clock skew tolerated on {@code exp}
     * @param clock the clock {@code exp} is judged by
     */
    public TokenVerifier(
            byte[] hmacSecret, RSAPublicKey rsaPublicKey, long leewaySeconds, Clock clock) {
        List<JWTVerifier> list = new ArrayList<>();
        if (hmacSecret != null) {
            list.add(verifier(Algorithm.HMAC256(hmacSecret), leewaySeconds, clock));
        }
        if (rsaPublicKey != null) {
            list.add(verifier(Algorithm.RSA256(rsaPublicKey, null), leewaySeconds, clock));
        }
        if (list.isEmpty()) {
            throw new IllegalArgumentException("a token verifier needs a secret or a public key");
        }
        this.verifiers = List.copyOf(list);
        this.leewaySeconds = leewaySeconds;
    }

    private static JWTVerifier verifier(Algorithm algorithm, long leeway, Clock clock) {
        // BaseVerification.build(Clock) is how java-jwt takes a clock other than the system's.
        return ((JWTVerifier.BaseVerification)
                        JWT.require(algorithm).acceptExpiresAt(leeway).withClaimPresence("exp"))
                .build(clock);
    }

    public long leewaySeconds() {
        return leewaySeconds;
    }

    /**
     * (Pushbase, issue 14) The claim that says which rooms a token's bearer may join: {@value
     * #ROOMS_CLAIM}, an array of room names, each exact, or a prefix ending in {@code *} ({@code
     * game.*}), or {@code *} for every room.
     */
    public static final String ROOMS_CLAIM = "rooms";

    /**
     * (Pushbase, issue 14) The {@value #ROOMS_CLAIM} claim of {@code token} when it entitles its
     * bearer to {@code key} ({@link #check} answers {@link TokenCheck#VALID}); empty when it does
     * not, or has no such claim, or the claim is not an array of strings (then no room may be
     * joined).
     */
    public List<String> rooms(String token, String key) {
        if (check(token, key) != TokenCheck.VALID) {
            return List.of();
        }
        try {
            List<String> rooms = JWT.decode(token).getClaim(ROOMS_CLAIM).asList(String.class);
            return rooms == null
                    ? List.of()
                    : rooms.stream().filter(java.util.Objects::nonNull).toList();
        } catch (JWTDecodeException e) {
            return List.of();
        }
    }

    /** Whether {@code token} entitles its bearer to {@code key}. */
    public TokenCheck check(String token, String key) {
        if (token == null || token.isEmpty()) {
            return TokenCheck.MISSING;
        }
        DecodedJWT decoded;
        try {
            decoded = JWT.decode(token);
        } catch (JWTDecodeException e) {
            return TokenCheck.INVALID;
        }
        for (JWTVerifier v : verifiers) {
            try {
                v.verify(decoded);
                return key.equals(decoded.getSubject()) ? TokenCheck.VALID : TokenCheck.WRONG_KEY;
            } catch (TokenExpiredException e) {
                return TokenCheck.EXPIRED;
            } catch (IncorrectClaimException e) {
                return TokenCheck.INVALID;
            } catch (JWTVerificationException e) {
                // wrong algorithm or signature for this verifier: try the next one
            }
        }
        return TokenCheck.INVALID;
    }
}
