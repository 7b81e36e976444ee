package io.pushbase.web.resources;

import com.codahale.metrics.MetricRegistry;
import io.pushbase.cluster.message.MessageNodeClient;
import io.pushbase.cluster.token.TokenVerifier;
import io.pushbase.web.reply.Answer;
import io.pushbase.web.reply.Ret;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.glassfish.jersey.uri.UriComponent;

/**
 * The offline pulls on the external port (docs/PROTOCOL.md section 1): a key's ({@code /1/msg/get},
 * {@code /msg/get}: {@link MessagePull}) and a room's ({@code /1/room/msg/get}: {@link RoomPull}),
 * each also with a trailing slash, as Jersey matched them before.
 *
 * <p>Why a servlet filter and not Jersey resources: the pull is what every client calls after every
 * reconnect (a comet's failure makes thousands of them at once), often on a web node whose pull
 * path has not run yet, and Jersey's request path (matching, injection, its async plumbing and
 * response writing) is a lot of code to compile first: in the first seconds of pulls the Jersey
 * routes answered a third to a half fewer at two to three times the CPU per pull. Once warm, the
 * two were alike within the measurements' spread (docs/BENCHMARKS.md, issue 11). Mounted ahead of
 * the Jersey application on exactly these paths; it never passes a request on. Every answer is byte
 * for byte what the Jersey resources answered: another method than GET (HEAD and OPTIONS too) is
 * 405 as {@link GetOnlyFilter} answers it; query parameters are decoded by Jersey's own {@link
 * UriComponent}, as {@code @QueryParam} decoded them, the first of a repeated one counting. A query
 * string that is not valid percent-encoding is {@code 65534} naming the problem (gopush-cluster's
 * Go server dropped such a parameter, so the route saw it missing: also {@code 65534}).
 *
 * <p>Thread-safe; one instance per web node. The query is read on the request thread; answers are
 * written on the thread that completes the fetch (a gRPC executor thread), as Jersey resumed them.
 */
public final class PullRoutes implements Filter {
    /** The paths this filter serves, for its mapping. */
    public static final String[] PATHS = {
        "/1/msg/get", "/1/msg/get/", "/msg/get", "/msg/get/", "/1/room/msg/get", "/1/room/msg/get/"
    };

    private final MessagePull keys;
    private final RoomPull rooms;

    /**
     * @param tokens the token check, empty when auth is off
     * @param maxMessages most messages one pull answers (the message nodes' per-key cap)
     */
    public PullRoutes(
            MessageNodeClient messages,
            Optional<TokenVerifier> tokens,
            int maxMessages,
            MetricRegistry metrics) {
        this.keys = new MessagePull(messages, tokens, maxMessages, metrics);
        this.rooms = new RoomPull(messages, tokens, maxMessages, metrics);
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        String path = request.getServletPath() + nullToEmpty(request.getPathInfo());
        Route route;
        Function<MultivaluedMap<String, String>, CompletionStage<Answer>> pull;
        switch (path) {
            case "/1/msg/get", "/1/msg/get/" -> {
                route = keys.route(true);
                pull = query -> keys.pull(true, query);
            }
            case "/msg/get", "/msg/get/" -> {
                route = keys.route(false);
                pull = query -> keys.pull(false, query);
            }
            case "/1/room/msg/get", "/1/room/msg/get/" -> {
                route = rooms.route();
                pull = rooms::pull;
            }
            default -> {
                chain.doFilter(req, res); // not mapped here; only if mapped wider by mistake
                return;
            }
        }
        if (!"GET".equals(request.getMethod())) {
            MethodNotAllowedMapper.write(response);
            return;
        }
        MultivaluedMap<String, String> query;
        try {
            query = UriComponent.decodeQuery(nullToEmpty(request.getQueryString()), true);
        } catch (IllegalArgumentException e) {
            route.serve(
                    request,
                    response,
                    null,
                    () ->
                            CompletableFuture.completedFuture(
                                    Answer.error(
                                            Ret.PARAM,
                                            "malformed query string: " + e.getMessage())));
            return;
        }
        route.serve(
                request,
                response,
                query.getFirst(route.callbackParameter()),
                () -> pull.apply(query));
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
