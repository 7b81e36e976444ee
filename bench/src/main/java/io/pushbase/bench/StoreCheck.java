package io.pushbase.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The store half of "acked = delivered = stored": after a push scenario, a sample of the pushed
 * keys is pulled from m=0 ({@code GET /1/msg/get?k=K&m=0} on the web node, as a client that was
 * offline pulls) and every acknowledged push of the key must be there under the very mid its
 * subscriber received it with, the stored messages in ascending mid order, and nothing stored that
 * was not pushed to that key. A key keeps only its newest {@value #STORE_CAP} messages (the message
 * node's {@code maxStoredPerKey}, which is also what a pull returns at most), so only the newest
 * that many acknowledged pushes by delivered mid are expected. Runs on the caller's thread; one
 * pull at a time (a sample of 50 takes well under a second).
 */
final class StoreCheck {
    /** conf/message.yml's store.maxStoredPerKey (= web.yml's api.maxPullMessages). */
    static final int STORE_CAP = 100;

    private static final int MAX_EXAMPLES = 5;

    /**
     * What the pulls showed.
     *
     * @param keys keys pulled
     * @param expected acknowledged pushes expected in their key's answer
     * @param missing expected pushes not in the answer
     * @param midMismatch pushes stored under another mid than they were delivered with
     * @param storedTwice extra copies: a push stored again under another mid
     * @param unordered messages whose mid did not exceed the one before
     * @param unknown stored messages this run did not push to that key
     * @param pullErrors pulls that failed or answered something else than {@code ret 0}
     * @param examples the first few problems, for the report
     */
    record Result(
            int keys,
            long expected,
            long missing,
            long midMismatch,
            long storedTwice,
            long unordered,
            long unknown,
            long pullErrors,
            List<String> examples) {

        long failures() {
            return missing + midMismatch + storedTwice + unordered + unknown + pullErrors;
        }
    }

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private final InetSocketAddress webApi;
    private final int keyCount;
    private final long firstSeq;
    private final long lastSeq;
    private final PushLedger.Delivery delivery;
    private long expected;
    private long missing;
    private long midMismatch;
    private long storedTwice;
    private long unordered;
    private long unknown;
    private long pullErrors;
    private final List<String> examples = new ArrayList<>();

    private StoreCheck(
            InetSocketAddress webApi,
            int keyCount,
            long firstSeq,
            long lastSeq,
            PushLedger.Delivery delivery) {
        this.webApi = webApi;
        this.keyCount = keyCount;
        this.firstSeq = firstSeq;
        this.lastSeq = lastSeq;
        this.delivery = delivery;
    }

    /**
     * Pulls {@code sample} random keys of {@code keys} and checks them against the pushes {@code
     * pushes} acknowledged and {@code delivery} (see the class comment). Stored messages of earlier
     * scenarios (sequence numbers before {@link PushLedger#firstSeq()}) are only checked to belong
     * to the key; {@code lastSeq} is the largest sequence number sent so far.
     */
    static Result run(
            InetSocketAddress webApi,
            List<String> keys,
            PushLedger pushes,
            PushLedger.Delivery delivery,
            int sample,
            long lastSeq)
            throws InterruptedException {
        Map<Integer, List<PushLedger.Ack>> byKey = new HashMap<>();
        pushes.acks().forEach(a -> byKey.computeIfAbsent(a.key(), k -> new ArrayList<>()).add(a));
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random());
        List<Integer> chosen = order.subList(0, Math.min(sample, order.size()));
        StoreCheck check =
                new StoreCheck(webApi, keys.size(), pushes.firstSeq(), lastSeq, delivery);
        for (int key : chosen) {
            check.key(key, keys.get(key), byKey.getOrDefault(key, List.of()));
        }
        return new Result(
                chosen.size(),
                check.expected,
                check.missing,
                check.midMismatch,
                check.storedTwice,
                check.unordered,
                check.unknown,
                check.pullErrors,
                List.copyOf(check.examples));
    }

    /**
     * One push expected in the store: its sequence number and delivered mid (-1: not delivered).
     */
    private record Expected(long seq, long mid) {}

    private void key(int index, String key, List<PushLedger.Ack> acks) throws InterruptedException {
        List<Expected> wanted = new ArrayList<>();
        for (PushLedger.Ack a : acks) {
            PushLedger.Receipt r = delivery.firstBySeq().get(a.seq());
            wanted.add(new Expected(a.seq(), r == null ? -1 : r.mid()));
        }
        wanted.sort(Comparator.comparingLong(Expected::mid).reversed());
        if (wanted.size() > STORE_CAP) {
            // Where an undelivered push ranks among the newest is unknown: not expected then.
            wanted = wanted.subList(0, STORE_CAP).stream().filter(e -> e.mid() >= 0).toList();
        }
        Map<Long, List<Long>> stored = new HashMap<>();
        try {
            JsonNode answer = pull(key);
            if (answer.path("ret").asInt(-1) != 0) {
                fail("pull of " + key + " answered " + answer);
                pullErrors++;
                return;
            }
            long last = Long.MIN_VALUE;
            for (JsonNode m : answer.path("data").path("msgs")) {
                long mid = m.path("mid").asLong();
                long seq = m.path("msg").path("i").asLong(-1);
                if (mid <= last) {
                    unordered++;
                    fail(key + ": mid " + mid + " after " + last);
                }
                last = mid;
                if (seq <= 0 || seq > lastSeq || PushLedger.keyOf(seq, keyCount) != index) {
                    unknown++;
                    fail(key + ": stored message " + m + " was not pushed to it");
                }
                if (seq < firstSeq) {
                    continue; // an earlier scenario's push
                }
                List<Long> mids = stored.computeIfAbsent(seq, s -> new ArrayList<>());
                if (!mids.isEmpty()) {
                    storedTwice++;
                    fail(key + ": push i=" + seq + " stored again, under mid " + mid + " " + mids);
                }
                mids.add(mid);
            }
        } catch (IOException e) {
            pullErrors++;
            fail("pull of " + key + ": " + e);
            return;
        }
        for (Expected e : wanted) {
            expected++;
            List<Long> mids = stored.get(e.seq());
            if (mids == null) {
                missing++;
                fail(key + ": acknowledged push i=" + e.seq() + " not stored");
            } else if (e.mid() >= 0 && !mids.contains(e.mid())) {
                midMismatch++;
                fail(
                        key
                                + ": push i="
                                + e.seq()
                                + " delivered as mid "
                                + e.mid()
                                + ", stored as "
                                + mids);
            }
        }
    }

    private JsonNode pull(String key) throws IOException, InterruptedException {
        URI uri =
                URI.create(
                        "http://127.0.0.1:"
                                + webApi.getPort()
                                + "/1/msg/get?k="
                                + URLEncoder.encode(key, StandardCharsets.UTF_8)
                                + "&m=0");
        HttpResponse<byte[]> reply =
                http.send(
                        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
        if (reply.statusCode() != 200) {
            throw new IOException("HTTP " + reply.statusCode());
        }
        return json.readTree(reply.body());
    }

    private void fail(String problem) {
        if (examples.size() < MAX_EXAMPLES) {
            examples.add(problem);
        }
    }
}
