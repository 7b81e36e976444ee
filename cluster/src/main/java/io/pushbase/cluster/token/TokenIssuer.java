package io.pushbase.cluster.token;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

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
        return issue(key, ttl, List.of());
    }

    /**
     * (Pushbase, issue 14) A token for {@code key} that may also join {@code rooms} (claim {@value
     * TokenVerifier#ROOMS_CLAIM}: names, {@code prefix*} patterns or {@code *}; none: the claim is
     * left out and no room may be joined), valid for {@code ttl} from now.
     */
    public String issue(String key, Duration ttl, List<String> rooms) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("token ttl must be positive: " + ttl);
        }
        Instant now = clock.instant();
        var jwt = JWT.create().withSubject(key).withIssuedAt(now).withExpiresAt(now.plus(ttl));
        if (!rooms.isEmpty()) {
            jwt.withClaim(TokenVerifier.ROOMS_CLAIM, List.copyOf(rooms));
        }
        return jwt.sign(algorithm);
    }
}
