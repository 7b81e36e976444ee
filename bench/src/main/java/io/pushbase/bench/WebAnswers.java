package io.pushbase.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pushbase.bench.ClosedLoop.Outcome;
import io.pushbase.bench.KeepAliveHttpClient.Reply;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Judges the web node's answers for the benchmarks: an answer counts only when it is HTTP 200 with
 * {@code ret 0} and, for a pull, exactly the expected number of messages in ascending mid order.
 * Every pull answer is checked cheaply (its {@code "mid":} fields counted and compared, without a
 * JSON parse); every {@value #FULL_CHECK_EVERY}th is also parsed as JSON (each {@code msg} an
 * object). Thread-safe.
 */
final class WebAnswers {
    /** One pull answer in this many is parsed fully. */
    static final int FULL_CHECK_EVERY = 64;

    private static final byte[] MID_FIELD = "\"mid\":".getBytes(StandardCharsets.US_ASCII);

    /** Keys are sorted as gopush-cluster's encoder sorted them: "ret" comes after "data". */
    private static final String OK_SUFFIX = "\"ret\":0}";

    private static final String PUSH_OK = "{\"ret\":0}";
    private static final String LOOKUP_PREFIX = "{\"data\":{\"server\":\"";

    private final ObjectMapper json = new ObjectMapper();
    private final AtomicLong pulls = new AtomicLong();
    private final AtomicLong fullyChecked = new AtomicLong();

    /** Outcome of a {@code /1/msg/get} answer that must hold {@code expected} messages. */
    Outcome pull(Reply reply, int expected) {
        String problem = notOk(reply);
        if (problem != null) {
            return Outcome.invalid(problem);
        }
        int mids = ascendingMids(reply.body());
        if (mids < 0) {
            return Outcome.invalid("pull answer: mids not ascending");
        }
        if (mids != expected) {
            return Outcome.invalid("pull answered " + mids + " messages, expected " + expected);
        }
        if (pulls.incrementAndGet() % FULL_CHECK_EVERY == 0) {
            problem = ascending(reply.body(), expected);
            if (problem != null) {
                return Outcome.invalid(problem);
            }
            fullyChecked.incrementAndGet();
        }
        return Outcome.ok(1);
    }

    /** Outcome of an admin push answer: exactly {@code {"ret":0}}. */
    static Outcome push(Reply reply) {
        if (reply.status() == 200 && PUSH_OK.equals(reply.text())) {
            return Outcome.ok(1);
        }
        String problem = notOk(reply);
        return Outcome.invalid(problem == null ? "push answered " + reply.text() : problem);
    }

    /** Outcome of a {@code /1/server/get?p=2} answer: a comet's address and {@code ret 0}. */
    static Outcome lookup(Reply reply) {
        String problem = notOk(reply);
        if (problem != null) {
            return Outcome.invalid(problem);
        }
        return reply.text().startsWith(LOOKUP_PREFIX)
                ? Outcome.ok(1)
                : Outcome.invalid("lookup answered " + reply.text());
    }

    /** Outcome of a pull of an empty mailbox: exactly {@code {"ret":0}}. */
    static Outcome emptyPull(Reply reply) {
        if (reply.status() == 200 && PUSH_OK.equals(reply.text())) {
            return Outcome.ok(1);
        }
        String problem = notOk(reply);
        return Outcome.invalid(problem == null ? "empty pull answered " + reply.text() : problem);
    }

    /** Pull answers parsed as JSON so far (all passed). */
    long fullyChecked() {
        return fullyChecked.get();
    }

    /** Null for HTTP 200 with ret 0, else what was wrong (status, ret and the error header). */
    private static String notOk(Reply reply) {
        String body = reply.text();
        if (reply.status() == 200 && body.endsWith(OK_SUFFIX)) {
            return null;
        }
        String head = body.length() > 60 ? body.substring(0, 60) + "..." : body;
        return "HTTP "
                + reply.status()
                + " "
                + head
                + (reply.problem() == null ? "" : " (" + reply.problem() + ")");
    }

    private String ascending(byte[] body, int expected) {
        try {
            JsonNode msgs = json.readTree(body).path("data").path("msgs");
            if (!msgs.isArray() || msgs.size() != expected) {
                return "pull answer has no data.msgs array of " + expected;
            }
            long last = 0;
            for (JsonNode m : msgs) {
                long mid = m.path("mid").asLong();
                if (mid <= last || !m.path("msg").isObject()) {
                    return "pull answer: mids not ascending or msg not a JSON object";
                }
                last = mid;
            }
            return null;
        } catch (IOException e) {
            return "pull answer is not JSON: " + e.getMessage();
        }
    }

    /**
     * How many {@code "mid":} fields {@code body} holds, or -1 when they do not strictly ascend (a
     * pushed payload holding a field of that name would count too: the benchmarks' do not).
     */
    private static int ascendingMids(byte[] body) {
        int n = 0;
        long last = Long.MIN_VALUE;
        int at = JsonNumbers.indexOf(body, 0, body.length, MID_FIELD);
        while (at >= 0) {
            long mid = JsonNumbers.numberAt(body, at + MID_FIELD.length, body.length);
            if (mid == JsonNumbers.NONE || mid <= last) {
                return -1;
            }
            last = mid;
            n++;
            at = JsonNumbers.indexOf(body, at + MID_FIELD.length, body.length, MID_FIELD);
        }
        return n;
    }
}
