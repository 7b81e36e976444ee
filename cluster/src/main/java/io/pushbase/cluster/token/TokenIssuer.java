package io.pushbase.cluster.token;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Issues subscriber tokens: a JWT with {@code sub} = the key, {@code iat} and {@code exp}, signed
 * HS256 with the shared secret {@link TokenVerifier} checks. Immutable and thread-safe.
 */
public final class TokenIssuer {
    private final Algorithm algorithm;
    private final Clock clock;

    public TokenIssuer(byte[] hmacSecret, Clock clock) {
        this.algorithm = Algorithm.HMAC256(hmacSecret);
        this.clock = clock;
    }

    /** A token for {@code key}, valid for {@code ttl} from now. */
    public String issue(String key, Duration ttl) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("token ttl must be positive: " + ttl);
        }
        Instant now = clock.instant();
        return JWT.create()
                .withSubject(key)
                .withIssuedAt(now)
                .withExpiresAt(now.plus(ttl))
                .sign(algorithm);
    }
}
