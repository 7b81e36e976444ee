package io.pushbase.web.resources;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import io.pushbase.schema.client.Keys;
import io.pushbase.schema.client.Rooms;
import io.pushbase.web.push.PushAdmission;
import io.pushbase.web.push.PushRouter;
import io.pushbase.web.push.RoomRouter;
import io.pushbase.web.reply.Answer;
import io.pushbase.web.reply.Dialect;
import io.pushbase.web.reply.Ret;
import io.pushbase.web.reply.Route;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MultivaluedMap;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;

/**
 * Admin push (docs/PROTOCOL.md section 2), routed by {@link PushRouter}.
 *
 * <ul>
 *   <li>{@code POST /1/admin/push/private?key=&expire=} (and {@code /admin/push}): the body is the
 *       message, one valid JSON value of at most {@code maxBodyBytes}, passed on verbatim.
 *   <li>{@code POST /1/admin/push/mprivate?expire=}: the body is {@code {"m":"<message JSON as a
 *       string>","k":"k1,k2"}}; every key must be valid, at most {@code maxKeys} (duplicates count
 *       once); the answer lists in {@code fk} the keys that were neither pushed nor stored.
 * </ul>
 *
 * <p>(Pushbase) Each accepts an idempotency key ({@link IdempotencyKeys}: the {@code
 * Idempotency-Key} header or the {@code idempotency_key} query parameter): a retry of the same push
 * to the same key within the window is answered the first push's mid and stores and delivers
 * nothing again ({@link PushRouter}); a single-key push with one answers {@code
 * {"data":{"duplicate":false,"mid":"<mid>"},"ret":0}}.
 *
 * <p>Any invalid input answers {@code 65534} before anything is stored or delivered. At most {@code
 * api.maxPushesInFlight} pushes are worked on at once ({@link PushAdmission}); one more is answered
 * 503 with {@code Retry-After}. Another method than POST answers 405 as Go did; without the {@link
 * AdminSecret} (when one is configured) 401 with {@code {"ret":1002}}.
 *
 * <p>Why a servlet filter and not a Jersey resource like the other admin routes: the push is the
 * route an application server calls thousands of times a second, and Jersey's per-request work
 * (matching, injection, validation, its async plumbing) was the largest single cost of the web node
 * per push (docs/BENCHMARKS.md, issue 11). Mounted ahead of the admin Jersey application on exactly
 * these three paths; it never passes a request on. Query parameters are decoded as
 * {@code @QueryParam} decoded them, and never from the body ({@link ServletRoutes#query}).
 *
 * <p>Thread-safe; one instance per web node. Bodies are read on the request thread (at most {@code
 * maxBodyBytes}); answers are written on the thread that completes the push.
 */
public final class AdminPushRoutes implements Filter {
    /** The paths this filter serves, for its mapping. */
    public static final String[] PATHS = {
        "/1/admin/push/private",
        "/admin/push",
        "/1/admin/push/mprivate",
        "/1/admin/push/room",
        "/1/admin/push/all"
    };

    private final PushRouter router;
    private final PushAdmission admission;
    private final AdminSecret secret;
    private final int maxBodyBytes;
    private final int maxKeys;
    private final Route privateRoute;
    private final Route unversioned;
    private final Route multi;
    private final Route roomRoute;
    private final Route allRoute;
    private final RoomRouter rooms;

    public AdminPushRoutes(
            PushRouter router,
            PushAdmission admission,
            AdminSecret secret,
            int maxBodyBytes,
            int maxKeys,
            MetricRegistry metrics) {
        this(router, null, admission, secret, maxBodyBytes, maxKeys, metrics);
    }

    /**
     * @param rooms (Pushbase, issue 14) routes {@code /1/admin/push/room}; null: that path answers
     *     {@code 65534}
     */
    public AdminPushRoutes(
            PushRouter router,
            RoomRouter rooms,
            PushAdmission admission,
            AdminSecret secret,
            int maxBodyBytes,
            int maxKeys,
            MetricRegistry metrics) {
        this.rooms = rooms;
        this.roomRoute = new Route("admin.push.room", Dialect.ADMIN, metrics);
        this.allRoute = new Route("admin.push.all", Dialect.ADMIN, metrics);
        this.router = router;
        this.admission = admission;
        this.secret = secret;
        this.maxBodyBytes = maxBodyBytes;
        this.maxKeys = maxKeys;
        this.privateRoute = new Route("admin.push.private", Dialect.ADMIN, metrics);
        this.unversioned = new Route("admin.push", Dialect.ADMIN, metrics);
        this.multi = new Route("admin.push.mprivate", Dialect.ADMIN, metrics);
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        String path = ServletRoutes.path(request);
        Route route;
        BiFunction<MultivaluedMap<String, String>, InputStream, CompletionStage<Answer>> push;
        String idempotencyHeader = request.getHeader(IdempotencyKeys.HEADER);
        switch (path) {
            case "/1/admin/push/private" -> {
                route = privateRoute;
                push = (q, body) -> push(q, idempotencyHeader, body);
            }
            case "/admin/push" -> {
                route = unversioned;
                push = (q, body) -> push(q, idempotencyHeader, body);
            }
            case "/1/admin/push/mprivate" -> {
                route = multi;
                push = (q, body) -> pushMany(q, idempotencyHeader, body);
            }
            case "/1/admin/push/room" -> {
                route = roomRoute;
                push = (q, body) -> pushRoom(q, idempotencyHeader, body);
            }
            case "/1/admin/push/all" -> {
                route = allRoute;
                push = (q, body) -> pushAll(q, idempotencyHeader, body);
            }
            default -> {
                chain.doFilter(req, res); // not mapped here; only if mapped wider by mistake
                return;
            }
        }
        if (!ServletRoutes.allows("POST", request, response)) {
            return;
        }
        if (!secret.allows(request.getHeader(HttpHeaders.AUTHORIZATION))) {
            byte[] body = AdminSecret.REFUSED.render(false);
            response.setStatus(401);
            response.setContentType("application/json;charset=utf-8");
            response.setHeader(Answer.PROBLEM_HEADER, AdminSecret.REFUSED.problem());
            response.getOutputStream().write(body);
            return;
        }
        InputStream body = request.getInputStream();
        route.serve(
                request,
                response,
                null,
                () -> {
                    ServletRoutes.Query query = ServletRoutes.query(request);
                    return query.explain(
                            admission.admit(() -> push.apply(query.parameters(), body)));
                });
    }

    private CompletionStage<Answer> push(
            MultivaluedMap<String, String> query, String idempotencyHeader, InputStream in) {
        try {
            byte[] message = body(in);
            String key = query.getFirst("key");
            check(Keys.problem(key));
            long expire = expire(query.getFirst("expire"));
            check(AdminInput.messageProblem(message, maxBodyBytes));
            String idempotencyKey = idempotencyKey(idempotencyHeader, query);
            return router.push(key, message, expire, idempotencyKey);
        } catch (Refused refused) {
            return done(refused.answer);
        }
    }

    /**
     * (Pushbase, issue 14) {@code POST /1/admin/push/room?room=&expire=}: the body is the message,
     * as for a key; the room by the room rule ({@link Rooms}). Answers {@code
     * {"data":{"duplicate":..,"mid":".."},"ret":0}}: the room's mid, always (a new route: no old
     * client expects {@code {"ret":0}} alone).
     */
    private CompletionStage<Answer> pushRoom(
            MultivaluedMap<String, String> query, String idempotencyHeader, InputStream in) {
        try {
            byte[] message = body(in);
            String room = query.getFirst("room");
            check(room == null || room.isEmpty() ? "room is required" : Rooms.problem(room));
            long expire = expire(query.getFirst("expire"));
            check(AdminInput.messageProblem(message, maxBodyBytes));
            String idempotencyKey = idempotencyKey(idempotencyHeader, query);
            if (rooms == null) {
                throw new Refused("rooms are not served by this node");
            }
            return rooms.push(room, message, expire, idempotencyKey);
        } catch (Refused refused) {
            return done(refused.answer);
        }
    }

    /** The longest spread of a broadcast, in seconds. */
    static final long MAX_SPREAD_SECONDS = 600;

    /**
     * (Pushbase, issue 14) {@code POST /1/admin/push/all?expire=&spread=}: a broadcast to every
     * connection of the cluster, stored (when {@code expire > 0}) in the broadcasts' log, room
     * {@link Rooms#ALL}; {@code spread} (whole seconds, 0 to {@value #MAX_SPREAD_SECONDS}, absent:
     * 0) spreads each comet's writes over that time. The body and idempotency rules of the pushes.
     */
    private CompletionStage<Answer> pushAll(
            MultivaluedMap<String, String> query, String idempotencyHeader, InputStream in) {
        try {
            byte[] message = body(in);
            long expire = expire(query.getFirst("expire"));
            String spreadText = query.getFirst("spread");
            long spread = 0;
            if (spreadText != null && !spreadText.isEmpty()) {
                spread = AdminInput.expire(spreadText);
                if (spread < 0 || spread > MAX_SPREAD_SECONDS) {
                    throw new Refused(
                            "spread must be whole seconds from 0 to "
                                    + MAX_SPREAD_SECONDS
                                    + ", got '"
                                    + spreadText
                                    + "'");
                }
            }
            check(AdminInput.messageProblem(message, maxBodyBytes));
            String idempotencyKey = idempotencyKey(idempotencyHeader, query);
            if (rooms == null) {
                throw new Refused("broadcasts are not served by this node");
            }
            return rooms.push(Rooms.ALL, message, expire, idempotencyKey, spread * 1000);
        } catch (Refused refused) {
            return done(refused.answer);
        }
    }

    private CompletionStage<Answer> pushMany(
            MultivaluedMap<String, String> query, String idempotencyHeader, InputStream in) {
        String expireText = query.getFirst("expire");
        try {
            JsonNode json = AdminInput.json(body(in));
            if (json == null || !json.isObject()) {
                throw new Refused(
                        "the body must be a JSON object {\"m\":\"<message>\",\"k\":\"k1,k2\"}");
            }
            JsonNode m = json.get("m");
            JsonNode k = json.get("k");
            if (m == null || !m.isTextual() || m.textValue().isEmpty()) {
                throw new Refused("\"m\" must be the message JSON as a string");
            }
            if (k == null || !k.isTextual() || k.textValue().isEmpty()) {
                throw new Refused("\"k\" must be the keys, comma-separated");
            }
            long expire = expire(expireText);
            byte[] message = m.textValue().getBytes(StandardCharsets.UTF_8);
            check(AdminInput.messageProblem(message, maxBodyBytes));
            Set<String> keys = new LinkedHashSet<>();
            for (String key : k.textValue().split(",", -1)) {
                String keyProblem = Keys.problem(key);
                if (keyProblem != null) {
                    throw new Refused("in \"k\": " + keyProblem);
                }
                keys.add(key);
                if (keys.size() > maxKeys) {
                    throw new Refused("at most " + maxKeys + " keys per multi-key push");
                }
            }
            String idempotencyKey = idempotencyKey(idempotencyHeader, query);
            return router.pushMany(List.copyOf(keys), message, expire, idempotencyKey);
        } catch (Refused refused) {
            return done(refused.answer);
        }
    }

    /** The push's idempotency key (header or query parameter), or null. */
    private static String idempotencyKey(String header, MultivaluedMap<String, String> query)
            throws Refused {
        try {
            return IdempotencyKeys.of(header, query.getFirst(IdempotencyKeys.PARAMETER));
        } catch (IdempotencyKeys.Malformed e) {
            throw new Refused(e.getMessage());
        }
    }

    /** The request body, at most {@code maxBodyBytes}. */
    private byte[] body(InputStream in) throws Refused {
        byte[] body;
        try {
            body = AdminInput.body(in, maxBodyBytes);
        } catch (IOException e) {
            throw new Refused("reading the body failed: " + e.getMessage());
        }
        if (body == null) {
            throw new Refused("the body is over " + maxBodyBytes + " bytes");
        }
        return body;
    }

    private static long expire(String text) throws Refused {
        long expire = AdminInput.expire(text);
        if (expire < 0) {
            throw new Refused(AdminInput.expireProblem(text));
        }
        return expire;
    }

    /** Refuses the request when {@code problem} is not null. */
    private static void check(String problem) throws Refused {
        if (problem != null) {
            throw new Refused(problem);
        }
    }

    /**
     * Invalid input: the request is answered {@code 65534} naming the problem, before anything is
     * stored or delivered. Control flow only, so without a stack trace.
     */
    private static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient Answer answer;

        Refused(String problem) {
            super(problem, null, false, false);
            this.answer = Answer.error(Ret.PARAM, problem);
        }
    }

    private static CompletionStage<Answer> done(Answer answer) {
        return CompletableFuture.completedFuture(answer);
    }
}
