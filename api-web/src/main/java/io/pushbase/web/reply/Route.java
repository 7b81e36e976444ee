package io.pushbase.web.reply;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.core.Response;
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

    /** Answers at once (work that does not wait for another node). */
    public Response serve(String callback, Supplier<Answer> work) {
        long start = System.nanoTime();
        if (!validCallback(callback)) {
            return finish(badCallback(), null, start);
        }
        Answer answer;
        try {
            answer = work.get();
        } catch (RuntimeException e) {
            answer = failed(e);
        }
        return finish(answer, callback, start);
    }

    /** Answers when {@code work}'s answer is ready, resuming {@code out}. */
    public void serve(AsyncResponse out, String callback, Supplier<CompletionStage<Answer>> work) {
        long start = System.nanoTime();
        if (!validCallback(callback)) {
            out.resume(finish(badCallback(), null, start));
            return;
        }
        CompletionStage<Answer> pending;
        try {
            pending = work.get();
        } catch (RuntimeException e) {
            pending = CompletableFuture.completedFuture(failed(e));
        }
        pending.whenComplete(
                (answer, err) ->
                        out.resume(finish(err == null ? answer : failed(err), callback, start)));
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

    private Response finish(Answer answer, String callback, long start) {
        retMeters
                .computeIfAbsent(
                        answer.ret(), ret -> metrics.meter("web.route." + name + ".ret." + ret))
                .mark();
        timer.update(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        byte[] json = answer.render(dialect.msgOk());
        Response.ResponseBuilder response;
        if (dialect.callbackParameter() != null && callback != null && !callback.isEmpty()) {
            byte[] name = callback.getBytes(StandardCharsets.US_ASCII);
            byte[] script = new byte[name.length + json.length + 2];
            System.arraycopy(name, 0, script, 0, name.length);
            script[name.length] = '(';
            System.arraycopy(json, 0, script, name.length + 1, json.length);
            script[script.length - 1] = ')';
            response = Response.ok(script, JAVASCRIPT);
        } else {
            response = Response.ok(json, JSON);
        }
        if (answer.problem() != null) {
            response.header(Answer.PROBLEM_HEADER, headerSafe(answer.problem()));
        }
        if (answer.retryAfterSeconds() > 0) {
            response.status(Response.Status.SERVICE_UNAVAILABLE)
                    .header("Retry-After", answer.retryAfterSeconds());
        }
        return response.build();
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
