package io.pushbase.web.resources;

import static io.pushbase.web.resources.StoredPull.done;

import com.codahale.metrics.MetricRegistry;
import io.pushbase.cluster.message.MessageNodeClient;
import io.pushbase.cluster.token.TokenVerifier;
import io.pushbase.schema.client.MidClock;
import io.pushbase.web.comet.CometDirectory;
import io.pushbase.web.reply.Answer;
import io.pushbase.web.reply.Dialect;
import io.pushbase.web.reply.Route;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.core.MultivaluedMap;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The routes of the external port that clients call (docs/PROTOCOL.md section 1): the node lookup
 * ({@code /1/server/get}, {@code /2/server/get}, {@code /server/get}: {@link CometLookup}), the
 * time id ({@code /1/time/get}, {@code /time/get}: {@link TimeId}) and the offline pulls, a key's
 * ({@code /1/msg/get}, {@code /msg/get}: {@link MessagePull}) and a room's ({@code
 * /1/room/msg/get}: {@link RoomPull}); each also with a trailing slash, as Jersey matched them
 * before.
 *
 * <p>Why a servlet filter and not Jersey resources: these are what every client calls on every
 * reconnect — a lookup, then a pull — so a comet's failure or a web node's restart makes thousands
 * of them at once, often on a web node whose paths have not run yet; and Jersey's request path
 * (matching, injection, its async plumbing and response writing) is a lot of code to compile first:
 * in the first seconds of pulls the Jersey routes answered a third to a half fewer at two to three
 * times the CPU per pull, and a standalone's first 20 s of reconnects (lookup, then pull) ran 1.1
 * to 2.2 times as fast without them. Warm, a pull of 100 messages cost the same either way, a
 * reconnect about a fifth less without Jersey (docs/BENCHMARKS.md, issue 11). Mounted ahead of the
 * Jersey application on exactly these paths; it never passes a request on. Every answer is byte for
 * byte what the Jersey resources answered: another method than GET (HEAD and OPTIONS too) is 405 as
 * {@link GetOnlyFilter} answers it; query parameters are decoded as {@code @QueryParam} decoded
 * them, the first of a repeated one counting, except one that is not valid percent-encoding, which
 * is dropped as gopush-cluster's Go server dropped it ({@link ServletRoutes#query}).
 *
 * <p>Thread-safe; one instance per web node. The query is read on the request thread; lookups and
 * time ids are answered on it; pulls on the thread that completes the fetch (a gRPC executor
 * thread), as Jersey resumed them.
 */
public final class ClientRoutes implements Filter {
    /** The paths this filter serves, for its mapping. */
    public static final String[] PATHS = {
        "/1/server/get", "/1/server/get/", "/2/server/get", "/2/server/get/",
        "/server/get", "/server/get/", "/1/time/get", "/1/time/get/",
        "/time/get", "/time/get/", "/1/msg/get", "/1/msg/get/",
        "/msg/get", "/msg/get/", "/1/room/msg/get", "/1/room/msg/get/"
    };

    private final CometLookup lookup;
    private final Route lookupV1;
    private final Route lookupV2;
    private final Route lookupUnversioned;
    private final TimeId time;
    private final Route timeV1;
    private final Route timeUnversioned;
    private final MessagePull keys;
    private final RoomPull rooms;

    /**
     * @param directory the live comets, for lookups (borrowed: its owner starts and stops it)
     * @param clock the time ids' clock
     * @param messages the message nodes, for pulls (borrowed)
     * @param tokens the token check of pulls, empty when auth is off
     * @param maxMessages most messages one pull answers (the message nodes' per-key cap)
     */
    public ClientRoutes(
            CometDirectory directory,
            MidClock clock,
            MessageNodeClient messages,
            Optional<TokenVerifier> tokens,
            int maxMessages,
            MetricRegistry metrics) {
        this.lookup = new CometLookup(directory);
        this.lookupV1 = new Route("server.get.v1", Dialect.VERSIONED, metrics);
        this.lookupV2 = new Route("server.get.v2", Dialect.VERSIONED, metrics);
        this.lookupUnversioned = new Route("server.get", Dialect.UNVERSIONED, metrics);
        this.time = new TimeId(clock);
        this.timeV1 = new Route("time.get.v1", Dialect.VERSIONED, metrics);
        this.timeUnversioned = new Route("time.get", Dialect.UNVERSIONED, metrics);
        this.keys = new MessagePull(messages, tokens, maxMessages, metrics);
        this.rooms = new RoomPull(messages, tokens, maxMessages, metrics);
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        Route route;
        Function<MultivaluedMap<String, String>, CompletionStage<Answer>> work;
        switch (ServletRoutes.path(request)) {
            case "/1/server/get", "/1/server/get/" -> {
                route = lookupV1;
                work = q -> done(lookup.lookup(q.getFirst("k"), q.getFirst("p"), false));
            }
            case "/2/server/get", "/2/server/get/" -> {
                route = lookupV2;
                work = q -> done(lookup.lookup(q.getFirst("k"), q.getFirst("p"), true));
            }
            case "/server/get", "/server/get/" -> {
                route = lookupUnversioned;
                work = q -> done(lookup.lookup(q.getFirst("key"), q.getFirst("proto"), false));
            }
            case "/1/time/get", "/1/time/get/" -> {
                route = timeV1;
                work = q -> done(time.now());
            }
            case "/time/get", "/time/get/" -> {
                route = timeUnversioned;
                work = q -> done(time.now());
            }
            case "/1/msg/get", "/1/msg/get/" -> {
                route = keys.route(true);
                work = q -> keys.pull(true, q);
            }
            case "/msg/get", "/msg/get/" -> {
                route = keys.route(false);
                work = q -> keys.pull(false, q);
            }
            case "/1/room/msg/get", "/1/room/msg/get/" -> {
                route = rooms.route();
                work = rooms::pull;
            }
            default -> {
                chain.doFilter(req, res); // not mapped here; only if mapped wider by mistake
                return;
            }
        }
        if (!ServletRoutes.allows("GET", request, response)) {
            return;
        }
        ServletRoutes.Query query = ServletRoutes.query(request);
        route.serve(
                request,
                response,
                query.first(route.callbackParameter()),
                () -> query.explain(work.apply(query.parameters())));
    }
}
