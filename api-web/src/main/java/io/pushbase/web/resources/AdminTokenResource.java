package io.pushbase.web.resources;

import com.codahale.metrics.MetricRegistry;
import io.pushbase.cluster.token.TokenIssuer;
import io.pushbase.schema.client.Keys;
import io.pushbase.web.reply.Answer;
import io.pushbase.web.reply.Data;
import io.pushbase.web.reply.Dialect;
import io.pushbase.web.reply.Ret;
import io.pushbase.web.reply.Route;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.Optional;

/**
 * (Pushbase) Issues subscriber tokens: {@code POST /1/admin/token?key=&ttl=} answers {@code
 * {"ret":0,"data":{"token":"<JWT>"}}}, a token for the key valid for {@code ttl} seconds (default
 * {@code defaultTtl}, at most {@code maxTtl}) that comets accept in {@code sub} and web nodes in
 * {@code /1/msg/get}. Answers {@code 65534} when issuing is off (auth disabled, or only an RS256
 * public key configured: its private key belongs to the application's own issuer).
 */
@Path("/")
public final class AdminTokenResource {
    private final Optional<TokenIssuer> issuer;
    private final Duration defaultTtl;
    private final Duration maxTtl;
    private final Route route;

    public AdminTokenResource(
            Optional<TokenIssuer> issuer,
            Duration defaultTtl,
            Duration maxTtl,
            MetricRegistry metrics) {
        this.issuer = issuer;
        this.defaultTtl = defaultTtl;
        this.maxTtl = maxTtl;
        this.route = new Route("admin.token", Dialect.ADMIN, metrics);
    }

    @POST
    @Path("1/admin/token")
    public Response token(@QueryParam("key") String key, @QueryParam("ttl") String ttl) {
        return route.serve(null, () -> issue(key, ttl));
    }

    private Answer issue(String key, String ttlText) {
        if (issuer.isEmpty()) {
            return Answer.error(
                    Ret.PARAM, "token issuing is off: auth.enabled is false or no secret is set");
        }
        String keyProblem = Keys.problem(key);
        if (keyProblem != null) {
            return Answer.error(Ret.PARAM, keyProblem);
        }
        Duration ttl = defaultTtl;
        if (ttlText != null && !ttlText.isEmpty()) {
            long seconds = AdminInput.expire(ttlText);
            if (seconds < 1 || seconds > maxTtl.toSeconds()) {
                return Answer.error(
                        Ret.PARAM,
                        "ttl must be whole seconds from 1 to "
                                + maxTtl.toSeconds()
                                + ", got '"
                                + ttlText
                                + "'");
            }
            ttl = Duration.ofSeconds(seconds);
        }
        return Answer.ok(Data.token(issuer.get().issue(key, ttl)));
    }
}
