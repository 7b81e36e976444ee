package io.pushbase.web.resources;

import com.codahale.metrics.MetricRegistry;
import io.pushbase.cluster.token.TokenIssuer;
import io.pushbase.schema.client.Keys;
import io.pushbase.schema.client.Rooms;
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
import java.util.List;
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
    public Response token(
            @QueryParam("key") String key,
            @QueryParam("ttl") String ttl,
            @QueryParam("room") List<String> rooms) {
        return route.serve(() -> issue(key, ttl, rooms == null ? List.of() : rooms));
    }

    /**
     * (Pushbase, issue 14) Why {@code pattern} is not an entry of a token's {@code rooms} claim: a
     * room name, a room name's prefix followed by {@code *}, or {@code *}; null when it is one.
     */
    static String roomPatternProblem(String pattern) {
        if ("*".equals(pattern)) {
            return null;
        }
        String name =
                pattern != null && pattern.endsWith("*")
                        ? pattern.substring(0, pattern.length() - 1)
                        : pattern;
        String problem = Rooms.problem(name);
        return problem == null ? null : "room '" + pattern + "': " + problem;
    }

    private Answer issue(String key, String ttlText, List<String> rooms) {
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
        for (String room : rooms) {
            String problem = roomPatternProblem(room);
            if (problem != null) {
                return Answer.error(Ret.PARAM, problem);
            }
        }
        return Answer.ok(Data.token(issuer.get().issue(key, ttl, rooms)));
    }
}
