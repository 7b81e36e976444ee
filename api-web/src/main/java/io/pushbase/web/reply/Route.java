package io.pushbase.web.reply;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One route of the HTTP API: runs its work, renders the {@link Answer} in the route's {@link
 * Dialect} (JSON or JSONP) and counts it.
 *
 * <p>JSONP: a callback must be a JavaScript name ({@code [A-Za-z_$][A-Za-z0-9_$.]*}, at most 128
 * characters; jQuery's generated names qualify). gopush-cluster echoed any string into a script;
 * Pushbase answers anything else with {@code ret 65534} as plain JSON and does not run the work.
 *
 * <p>Metrics: timer {@code web.route.<name>} (latency of every answer) and meter {@code
 * web.route.<name>.ret.<code>} per {@code ret} code. Work that throws or fails unexpectedly is
 * logged and answered {@code ret 65535}.
 *
 * <p>Thread-safe; one instance per route, made at start.
 */
public final class Route {
    private static final Logger LOG = LoggerFactory.getLogger(Route.class);
    private static final Pattern CALLBACK = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$.]{0,127}");
    static final String JSON = "application/json;charset=utf-8";
    static final String JAVASCRIPT = "application/javascript;charset=utf-8";

    private final String name;
    private final Dialect dialect;
    private final MetricRegistry metrics;
    private final Timer timer;

    /** The meter of each {@code ret} code seen, so an answer costs no registry lookup. */
    private final Map<Integer, Meter> retMeters = new ConcurrentHashMap<>();

    public Route(String name, Dialect dialect, MetricRegistry metrics) {
        this.name = name;
        this.dialect = dialect;
        this.metrics = metrics;
        this.timer = metrics.timer("web.route." + name);
    }

    public String name() {
        return name;
    }

    /** The query parameter naming the route's JSONP callback, or null when it offers none. */
    public String callbackParameter() {
        return dialect.callbackParameter();
    }

    /**
     * Answers at once (work that does not wait for another node), as a Jersey response. The Jersey
     * routes are the admin port's, whose dialect has no JSONP callback.
     */
    public Response serve(Supplier<Answer> work) {
        long start = System.nanoTime();
        Answer answer;
        try {
            answer = work.get();
        } catch (RuntimeException e) {
            answer = failed(e);
        }
        return toResponse(finish(answer, null, start));
    }

    /** Answers when {@code work}'s answer is ready, resuming {@code out} (a Jersey route). */
    public void serve(AsyncResponse out, Supplier<CompletionStage<Answer>> work) {
        long start = System.nanoTime();
        CompletionStage<Answer> pending;
        try {
            pending = work.get();
        } catch (RuntimeException e) {
            pending = CompletableFuture.completedFuture(failed(e));
        }
        pending.whenComplete(
                (answer, err) ->
                        out.resume(
                                toResponse(
                                        finish(err == null ? answer : failed(err), null, start))));
    }

    private Answer failed(Throwable e) {
        LOG.error("Route {} failed", name, e);
        return Answer.error(Ret.INTERNAL, "internal error: " + e);
    }

    private static boolean validCallback(String callback) {
        return callback == null || callback.isEmpty() || CALLBACK.matcher(callback).matches();
    }

    private static Answer badCallback() {
        return Answer.error(
                Ret.PARAM,
                "callback must be a JavaScript name ([A-Za-z_$][A-Za-z0-9_$.]*, at most 128"
                        + " characters)");
    }

    /**
     * Answers when {@code work}'s answer is ready, on a plain servlet request (a route served
     * outside Jersey, for the cost of Jersey's per-request work on the hottest routes: push and
     * pull). The request goes asynchronous only when the answer is not ready at once; the answer is
     * written and the exchange completed on the thread that completes it.
     *
     * @param callback the JSONP callback (null or empty: none; the route's dialect must have one);
     *     one that is not a JavaScript name is answered {@code 65534} and {@code work} not run
     */
    public void serve(
            HttpServletRequest request,
            HttpServletResponse response,
            String callback,
            Supplier<CompletionStage<Answer>> work)
            throws IOException {
        long start = System.nanoTime();
        if (!validCallback(callback)) {
            write(finish(badCallback(), null, start), response);
            return;
        }
        CompletableFuture<Answer> pending;
        try {
            pending = work.get().toCompletableFuture();
        } catch (RuntimeException e) {
            pending = CompletableFuture.completedFuture(failed(e));
        }
        if (pending.isDone()) {
            write(finish(pending.handle(this::orFailure).join(), callback, start), response);
            return;
        }
        AsyncContext async = request.startAsync();
        // No container timeout: every push is bounded by the comet and message-node timeouts.
        async.setTimeout(0);
        pending.whenComplete(
                (answer, err) -> {
                    try {
                        Rendered rendered =
                                finish(err == null ? answer : failed(err), callback, start);
                        write(rendered, (HttpServletResponse) async.getResponse());
                    } catch (IOException | RuntimeException e) {
                        LOG.debug("Route {}: answer not written: {}", name, e.toString());
                    } finally {
                        async.complete();
                    }
                });
    }

    private Answer orFailure(Answer answer, Throwable err) {
        return err == null ? answer : failed(err);
    }

    /** An answer as it goes on the wire, whatever serves the route. */
    private record Rendered(
            int status, String contentType, byte[] body, String problem, int retryAfterSeconds) {}

    private Response toResponse(Rendered r) {
        Response.ResponseBuilder response =
                Response.status(r.status).type(r.contentType).entity(r.body);
        if (r.problem != null) {
            response.header(Answer.PROBLEM_HEADER, r.problem);
        }
        if (r.retryAfterSeconds > 0) {
            response.header("Retry-After", r.retryAfterSeconds);
        }
        return response.build();
    }

    private static void write(Rendered r, HttpServletResponse response) throws IOException {
        response.setStatus(r.status);
        response.setContentType(r.contentType);
        if (r.problem != null) {
            response.setHeader(Answer.PROBLEM_HEADER, r.problem);
        }
        if (r.retryAfterSeconds > 0) {
            response.setIntHeader("Retry-After", r.retryAfterSeconds);
        }
        response.setContentLength(r.body.length);
        response.getOutputStream().write(r.body);
    }

    private Rendered finish(Answer answer, String callback, long start) {
        retMeters
                .computeIfAbsent(
                        answer.ret(), ret -> metrics.meter("web.route." + name + ".ret." + ret))
                .mark();
        timer.update(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        byte[] json = answer.render(dialect.msgOk());
        byte[] body = json;
        String type = JSON;
        if (dialect.callbackParameter() != null && callback != null && !callback.isEmpty()) {
            byte[] name = callback.getBytes(StandardCharsets.US_ASCII);
            body = new byte[name.length + json.length + 2];
            System.arraycopy(name, 0, body, 0, name.length);
            body[name.length] = '(';
            System.arraycopy(json, 0, body, name.length + 1, json.length);
            body[body.length - 1] = ')';
            type = JAVASCRIPT;
        }
        int retryAfter = answer.retryAfterSeconds();
        return new Rendered(
                retryAfter > 0 ? 503 : 200,
                type,
                body,
                answer.problem() == null ? null : headerSafe(answer.problem()),
                retryAfter);
    }

    /** A header value carries printable ASCII only; the problem may quote a client's key. */
    private static String headerSafe(String problem) {
        StringBuilder safe = new StringBuilder(Math.min(problem.length(), 300));
        for (int i = 0; i < problem.length() && safe.length() < 300; i++) {
            char c = problem.charAt(i);
            safe.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return safe.toString();
    }
}
