package io.pushbase.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pushbase.comet.testing.TcpClient;
import io.pushbase.comet.testing.TextWebSocketClient;
import io.pushbase.comet.testing.Wire;
import io.pushbase.e2e.ClientMessages.Message;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * docs/DESIGN.md invariant 3 measured from outside, while faults happen: pusher threads push
 * continuously through a web node's admin API ({@code POST /1/admin/push/private?expire=600}), each
 * key's pushes one after another with a per-key sequence number in the payload, recording every
 * answer; per key one subscriber behaves as the protocol tells a client to (docs/PROTOCOL.md
 * section 3): it looks its comet up ({@code /1/server/get}), subscribes (raw TCP in the new or the
 * old message format, or WebSocket), pulls {@code /1/msg/get?m=<largest mid>} right after every
 * subscribe, keeps the largest mid it accepted and drops any message whose mid is not larger; on
 * any disconnect or refusal it backs off ({@link ReconnectBackoff}), looks up again, reconnects and
 * pulls. A resuming subscriber ({@link Transport#TCP_RESUME}) does not pull: it subscribes with
 * {@code since}, its largest mid, and the comet replays what it missed (docs/REPLAY.md).
 *
 * <p>{@link #finish} stops the pushes, lets deliveries settle, pulls once more per key and checks:
 * every acknowledged push ({@code {"ret":0}}) was accepted online or pulled; the mids each client
 * accepted strictly increase; a dropped message is only ever one whose payload the client already
 * has; every payload is byte for byte the one pushed; every message accepted online is stored under
 * the same mid. Pushes answered otherwise (an error code, a timeout, a refused connection) are
 * counted and reported, never counted as acknowledged. A payload accepted under two different mids
 * is counted; the caller decides whether its fault may cause one (none may since pushes are stored
 * under one mid whichever node finishes them, docs/MIDS.md "Retries without duplicates"; the
 * residual windows documented there need clock skew or an HBase outage).
 *
 * <p>Threads: pushers, one thread per subscriber, one heartbeat timer; all stop in {@link #finish}
 * or {@link #close}. Per-key state is guarded by its {@code KeyState}.
 */
final class DeliveryChecker implements AutoCloseable {
    /** How a subscriber connects. */
    enum Transport {
        /** Raw TCP with a version: new message format. */
        TCP_NEW,
        /** Raw TCP without a version: old message format (payload as a JSON string). */
        TCP_OLD,
        /** WebSocket with {@code ver}: new message format, one text frame per message. */
        WS,
        /**
         * Raw TCP with a version and {@code since} (docs/REPLAY.md): every subscribe resumes after
         * the largest mid the client has (a time id before its first message) and must be answered
         * {@code +r complete}; the comet, not a pull, brings what it missed. Stricter: a message
         * whose mid is not above the largest is a violation (the comet sends each mid once), and so
         * is an acknowledged push found only by the final pull, or a stored mid never received.
         */
        TCP_RESUME;

        boolean resumes() {
            return this == TCP_RESUME;
        }
    }

    /** Where a message was accepted from. */
    enum Source {
        ONLINE,
        PULL,
        FINAL_PULL
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration READ_IDLE = Duration.ofSeconds(45);
    private static final long RETRY_MILLIS = 250;

    /** The default transports, cycled over the keys. */
    static final List<Transport> MIXED =
            List.of(Transport.TCP_NEW, Transport.WS, Transport.TCP_OLD);

    private static final String ACK = "{\"ret\":0}";

    private final String name;
    private final int webHttp;
    private final int webAdmin;
    private final double pushesPerSecond;
    private final int pusherThreads;
    private final List<KeyState> keys = new ArrayList<>();
    private final HttpClient http =
            HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(2))
                    .build();
    private final ScheduledExecutorService heartbeats =
            Executors.newSingleThreadScheduledExecutor(
                    r -> {
                        Thread t = new Thread(r, "checker-heartbeats");
                        t.setDaemon(true);
                        return t;
                    });
    private final List<Thread> pushers = new ArrayList<>();
    private final List<Thread> subscribers = new ArrayList<>();
    private final List<String> timeline = new ArrayList<>();
    private final Map<String, ErrorCount> errors = new TreeMap<>();
    private final long startNanos = System.nanoTime();
    private volatile boolean pushing;
    private volatile boolean subscribing;

    /** Until when (nanoTime) clients sent away by {@link #disconnectAll} stay away. */
    private volatile long awayUntil = System.nanoTime();

    /**
     * @param name scenario name: the key prefix and the report's title
     * @param keyCount keys, each with one subscriber
     * @param webHttp the web node's external port (lookup, pull)
     * @param webAdmin the web node's admin port (push)
     * @param pushesPerSecond all pushes together, spread over the keys
     * @param transports the subscribers' transports, cycled over the keys ({@link #MIXED}: TCP new,
     *     WebSocket, TCP old)
     */
    DeliveryChecker(
            String name,
            int keyCount,
            int webHttp,
            int webAdmin,
            double pushesPerSecond,
            List<Transport> transports) {
        this.name = name;
        this.webHttp = webHttp;
        this.webAdmin = webAdmin;
        this.pushesPerSecond = pushesPerSecond;
        this.pusherThreads = Math.min(4, keyCount);
        for (int i = 0; i < keyCount; i++) {
            keys.add(new KeyState(name + "-key-" + i, transports.get(i % transports.size())));
        }
    }

    /**
     * A checker of {@code keyCount} keys pushing through {@code web} (its external and admin
     * ports), {@linkplain #start started}: every key subscribed within {@code subscribeTimeout},
     * then the pushes running.
     */
    static DeliveryChecker started(
            String name,
            int keyCount,
            E2eCluster.Node web,
            double pushesPerSecond,
            List<Transport> transports,
            Duration subscribeTimeout)
            throws InterruptedException {
        DeliveryChecker checker =
                new DeliveryChecker(
                        name,
                        keyCount,
                        web.port("http"),
                        web.port("admin"),
                        pushesPerSecond,
                        transports);
        checker.start(subscribeTimeout);
        return checker;
    }

    /** The payload of push {@code seq} to {@code key}: not ASCII-only, not in Jackson's style. */
    static String payload(String key, int seq) {
        return "{\"key\": \""
                + key
                + "\", \"seq\": "
                + seq
                + ", \"text\": \"\u00e9 \u2713 <&> \\\"q\\\" \\u00e9\"}";
    }

    /**
     * Subscribes every key (each subscriber's first subscription and pull done), then starts the
     * pushes.
     */
    void start(Duration subscribeTimeout) throws InterruptedException {
        for (KeyState key : keys) {
            if (key.transport.resumes()) {
                // What a new client resumes from: "now", so its first resume is complete.
                key.largest = timeId();
                key.startedAfter = key.largest;
            }
        }
        subscribing = true;
        for (KeyState key : keys) {
            Thread t = new Thread(() -> subscribeLoop(key), "sub-" + key.key);
            t.setDaemon(true);
            subscribers.add(t);
            t.start();
        }
        heartbeats.scheduleAtFixedRate(this::heartbeat, 10, 10, TimeUnit.SECONDS);
        await("every key subscribed", subscribeTimeout, this::allSubscribed);
        mark("subscribed " + keys.size() + " keys");
        pushing = true;
        for (int t = 0; t < pusherThreads; t++) {
            List<KeyState> mine = new ArrayList<>();
            for (int i = t; i < keys.size(); i += pusherThreads) {
                mine.add(keys.get(i));
            }
            Thread thread = new Thread(() -> pushLoop(mine), "push-" + name + "-" + t);
            thread.setDaemon(true);
            pushers.add(thread);
            thread.start();
        }
    }

    /**
     * Closes every client's connection from the client's side, as a network blip would; each stays
     * away for {@code away}, then looks its comet up and subscribes again as after any lost
     * connection (a resuming client resumes, the others pull).
     */
    void disconnectAll(Duration away) {
        awayUntil = System.nanoTime() + away.toNanos();
        int closed = 0;
        for (KeyState key : keys) {
            Connection c = key.connection;
            if (c != null) {
                c.close();
                closed++;
            }
        }
        mark("closed " + closed + " clients' connections, away for " + away.toMillis() + " ms");
    }

    /** Whether each of {@code keys} is subscribed to {@code comet} (its TCP or WebSocket port). */
    boolean subscribedTo(List<String> keys, E2eCluster.Node comet) {
        Map<String, String> now = addresses();
        for (String key : keys) {
            String expected =
                    "127.0.0.1:" + comet.port(transport(key) == Transport.WS ? "ws" : "tcp");
            if (!expected.equals(now.get(key))) {
                return false;
            }
        }
        return true;
    }

    /** Waits until every key is subscribed to {@code comet}, and notes it in the timeline. */
    void awaitAllSubscribedTo(E2eCluster.Node comet, Duration timeout) throws InterruptedException {
        await(
                "every client subscribed to " + comet.name(),
                timeout,
                () -> subscribedTo(keys(), comet));
        mark("every client subscribed to " + comet.name());
    }

    /** Notes an event of the scenario in the report's timeline. */
    void mark(String event) {
        synchronized (timeline) {
            timeline.add(String.format("%7.1f s  %s", seconds(), event));
        }
    }

    private double seconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** The scenario's name (the key prefix). */
    String name() {
        return name;
    }

    /** How many resumes so far were answered {@code answer} ({@code +r complete}), all keys. */
    long resumesAnswered(String answer) {
        long n = 0;
        for (KeyState k : keys) {
            synchronized (k) {
                n += k.answers.getOrDefault(answer, 0);
            }
        }
        return n;
    }

    /** At most this many pushes are in flight at once (one per pusher thread). */
    int maxPushesInFlight() {
        return pusherThreads;
    }

    List<String> keys() {
        return keys.stream().map(k -> k.key).toList();
    }

    /** Whether every subscriber is subscribed now (its last subscribe answered and pulled). */
    boolean allSubscribed() {
        return keys.stream().allMatch(k -> k.address != null);
    }

    /** Each key's current comet address ({@code host:port}), null while not subscribed. */
    Map<String, String> addresses() {
        Map<String, String> map = new LinkedHashMap<>();
        for (KeyState k : keys) {
            map.put(k.key, k.address);
        }
        return map;
    }

    /** Each key's transport. */
    Transport transport(String key) {
        return state(key).transport;
    }

    /** How many times {@code key}'s subscriber lost or was refused a connection so far. */
    int disconnects(String key) {
        KeyState k = state(key);
        synchronized (k) {
            return k.disconnects.size();
        }
    }

    /** Acknowledged pushes so far, all keys. */
    long acknowledged() {
        return keys.stream().mapToLong(k -> k.acked.size()).sum();
    }

    /** Waits until {@code more} further pushes have been acknowledged. */
    void awaitAcknowledged(long more, Duration timeout) throws InterruptedException {
        long target = acknowledged() + more;
        await(more + " more acknowledged pushes", timeout, () -> acknowledged() >= target);
    }

    /** A snapshot of what each key's client accepted so far, mid to payload. */
    Map<String, TreeMap<Long, String>> accepted() {
        Map<String, TreeMap<Long, String>> map = new LinkedHashMap<>();
        for (KeyState k : keys) {
            synchronized (k) {
                TreeMap<Long, String> byMid = new TreeMap<>();
                k.accepted.forEach(r -> byMid.put(r.mid, r.payload));
                map.put(k.key, byMid);
            }
        }
        return map;
    }

    void await(String what, Duration timeout, BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        name
                                + ": timed out after "
                                + timeout
                                + " waiting for "
                                + what
                                + "\n"
                                + report());
            }
            Thread.sleep(100);
        }
    }

    private KeyState state(String key) {
        return keys.stream().filter(k -> k.key.equals(key)).findFirst().orElseThrow();
    }

    // ---- pushing ----

    private void pushLoop(List<KeyState> mine) {
        long intervalNanos = (long) (1e9 * pusherThreads / pushesPerSecond);
        long next = System.nanoTime();
        int i = 0;
        while (pushing) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                sleepNanos(wait);
            } else if (wait < -1_000_000_000L) {
                next = System.nanoTime(); // after a stall, no catch-up burst
            }
            next += intervalNanos;
            push(mine.get(i++ % mine.size()));
        }
    }

    private void push(KeyState key) {
        int seq = ++key.lastSeq;
        String outcome;
        try {
            HttpResponse<String> r =
                    http.send(
                            HttpRequest.newBuilder(
                                            URI.create(
                                                    "http://127.0.0.1:"
                                                            + webAdmin
                                                            + "/1/admin/push/private?key="
                                                            + encode(key.key)
                                                            + "&expire=600"))
                                    .timeout(HTTP_TIMEOUT)
                                    .POST(
                                            HttpRequest.BodyPublishers.ofString(
                                                    payload(key.key, seq)))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200 && r.body().equals(ACK)) {
                key.acked.add(seq);
                return;
            }
            outcome =
                    "HTTP "
                            + r.statusCode()
                            + (r.body().startsWith("{")
                                    ? " " + ClientMessages.abbreviate(r.body())
                                    : "");
        } catch (HttpTimeoutException e) {
            outcome = "timed out after " + HTTP_TIMEOUT;
        } catch (IOException e) {
            outcome = e.getClass().getSimpleName();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = "interrupted";
        }
        synchronized (errors) {
            errors.computeIfAbsent(outcome, o -> new ErrorCount()).add(seconds());
        }
    }

    /** How often one kind of unacknowledged answer came, and when first and last. */
    private static final class ErrorCount {
        int count;
        double first = -1;
        double last;

        void add(double at) {
            count++;
            if (first < 0) {
                first = at;
            }
            last = at;
        }

        @Override
        public String toString() {
            return String.format("%d (%.1f s to %.1f s)", count, first, last);
        }
    }

    /** Unacknowledged push answers so far, by kind. */
    Map<String, Integer> pushErrors() {
        synchronized (errors) {
            Map<String, Integer> map = new TreeMap<>();
            errors.forEach((k, v) -> map.put(k, v.count));
            return map;
        }
    }

    // ---- subscribing ----

    /** One key's client: what was pushed to it and what it accepted. */
    private static final class KeyState {
        final String key;
        final Transport transport;

        /** Written by its pusher only. */
        volatile int lastSeq;

        final Set<Integer> acked = ConcurrentHashMap.newKeySet();
        // guarded by this
        long largest;
        final List<Received> accepted = new ArrayList<>();
        final Set<Integer> seqsHeld = new HashSet<>();
        int drops;
        int duplicatePayloads;
        final List<String> violations = new ArrayList<>();

        /** Drops and second mids, for the report. */
        final List<String> notes = new ArrayList<>();

        final List<String> disconnects = new ArrayList<>();
        final Map<String, Integer> refusals = new TreeMap<>();

        /** A resuming client's first since (a time id): its key's stored mids are all above. */
        long startedAfter;

        /** A resuming client's completeness answers, by their text. */
        final Map<String, Integer> answers = new TreeMap<>();

        int connectFailures;
        int subscribes;
        double longestGap;
        double lostAt = -1;
        volatile String address;
        volatile Connection connection;

        KeyState(String key, Transport transport) {
            this.key = key;
            this.transport = transport;
        }
    }

    private record Received(long mid, int seq, String payload, Source source) {}

    /** A live subscription: the next frame, a heartbeat, close. */
    private interface Connection extends AutoCloseable {
        /**
         * The next frame: a reply line ({@code +h\r\n}, {@code -n\r\n}) or a message; null at EOF.
         */
        String next() throws IOException, InterruptedException;

        void heartbeat() throws Exception;

        @Override
        void close();
    }

    /**
     * One client's life: look up, subscribe, (pull,) read until the connection ends, then back off
     * and start again, as a real client does: the pause grows on every failed attempt and starts
     * over once a subscription was answered ({@link ReconnectBackoff}).
     */
    private void subscribeLoop(KeyState key) {
        ReconnectBackoff backoff = new ReconnectBackoff();
        while (subscribing) {
            sleepNanos(awayUntil - System.nanoTime());
            String address = lookup(key);
            if (address == null) {
                backoff.pause();
                continue;
            }
            try (Connection c = connect(key, address)) {
                String first = c.next();
                if (first == null || !first.equals("+h\r\n")) {
                    String reply = first == null ? "EOF" : first.trim();
                    synchronized (key) {
                        key.refusals.merge(reply, 1, Integer::sum);
                    }
                    backoff.pause();
                    continue;
                }
                key.connection = c;
                if (!key.transport.resumes() && !pullAfterSubscribe(key)) {
                    continue; // stopping
                }
                key.address = address;
                backoff.reset();
                synchronized (key) {
                    key.subscribes++;
                    if (key.lostAt >= 0) {
                        key.longestGap = Math.max(key.longestGap, seconds() - key.lostAt);
                        key.lostAt = -1;
                    }
                }
                String reason = read(key, c);
                synchronized (key) {
                    key.address = null;
                    if (subscribing) { // not the checker's own close at the end
                        key.lostAt = seconds();
                        key.disconnects.add(
                                String.format("%.1f s %s from %s", seconds(), reason, address));
                    }
                }
            } catch (IOException | RuntimeException e) {
                synchronized (key) {
                    key.connectFailures++;
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                key.connection = null;
                key.address = null;
            }
            backoff.pause();
        }
    }

    /** Reads frames until the connection ends; the reason it ended. */
    private String read(KeyState key, Connection c) throws InterruptedException {
        // A resume is answered once, after +h and before its first message (docs/REPLAY.md).
        boolean awaitingAnswer = key.transport.resumes();
        try {
            while (true) {
                String frame = c.next();
                if (frame == null) {
                    return "EOF";
                }
                if (frame.equals("+h\r\n")) {
                    continue;
                }
                if (frame.startsWith("+r ")) {
                    if (awaitingAnswer) {
                        awaitingAnswer = false;
                        resumeAnswered(key, frame.trim());
                    } else {
                        violation(key, "a completeness answer not expected: " + frame.trim());
                    }
                    continue;
                }
                if (frame.startsWith("-")) {
                    return "reply " + frame.trim();
                }
                if (awaitingAnswer) {
                    awaitingAnswer = false;
                    violation(key, "a message before the resume's completeness answer");
                }
                try {
                    Message m =
                            key.transport == Transport.TCP_OLD
                                    ? ClientMessages.parseOld(frame)
                                    : ClientMessages.parseNew(frame);
                    accept(key, m, Source.ONLINE);
                } catch (ClientMessages.ProtocolException e) {
                    violation(key, "online: " + e.getMessage());
                }
            }
        } catch (SocketTimeoutException e) {
            return "nothing read for " + READ_IDLE;
        } catch (IOException e) {
            return e.toString();
        }
    }

    /** The pull a client makes right after subscribing; retried until it answers. */
    private boolean pullAfterSubscribe(KeyState key) throws InterruptedException {
        while (subscribing) {
            long from;
            synchronized (key) {
                from = key.largest;
            }
            try {
                for (Message m : pull(key.key, from)) {
                    accept(key, m, Source.PULL);
                }
                return true;
            } catch (ClientMessages.ProtocolException e) {
                violation(key, "pull: " + e.getMessage());
                pause();
            } catch (IOException e) {
                pause();
            }
        }
        return false;
    }

    /** {@code GET /1/msg/get?k=key&m=from}, every page (the answer holds at most 100). */
    List<Message> pull(String key, long from) throws IOException, InterruptedException {
        List<Message> all = new ArrayList<>();
        while (true) {
            HttpResponse<String> r =
                    get("/1/msg/get?k=" + encode(key) + "&m=" + from, Duration.ofSeconds(15));
            if (r.statusCode() != 200) {
                throw new IOException("pull answered HTTP " + r.statusCode());
            }
            List<Message> page = ClientMessages.parsePull(r.body());
            all.addAll(page);
            if (page.size() < 100) {
                return all;
            }
            from = page.get(page.size() - 1).mid();
        }
    }

    private String lookup(KeyState key) {
        try {
            return lookup(key.key);
        } catch (ClientMessages.ProtocolException e) {
            synchronized (key) {
                key.refusals.merge(e.getMessage(), 1, Integer::sum);
            }
        } catch (IOException e) {
            synchronized (key) {
                key.connectFailures++;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }

    /**
     * The comet address the web node names for {@code key} now ({@code /1/server/get}, the protocol
     * of the key's transport).
     *
     * @throws ClientMessages.ProtocolException when it names none ({@code lookup ret <code>})
     */
    String lookup(String key) throws IOException, InterruptedException {
        int protocol = state(key).transport == Transport.WS ? 1 : 2;
        HttpResponse<String> r =
                get("/1/server/get?k=" + encode(key) + "&p=" + protocol, Duration.ofSeconds(5));
        JsonNode answer = JSON.readTree(r.body());
        if (answer.path("ret").asInt(-1) != 0 || !answer.path("data").path("server").isTextual()) {
            throw new ClientMessages.ProtocolException("lookup ret " + answer.path("ret"));
        }
        return answer.path("data").path("server").asText();
    }

    private Connection connect(KeyState key, String address) throws IOException {
        int colon = address.lastIndexOf(':');
        if (!address.substring(0, colon).equals("127.0.0.1")) {
            throw new IllegalStateException("comet address not on loopback: " + address);
        }
        int port = Integer.parseInt(address.substring(colon + 1));
        return switch (key.transport) {
            case TCP_NEW -> tcp(TcpClient.subscribe(port, key.key, null, "1"));
            case TCP_OLD -> tcp(TcpClient.subscribe(port, key.key, null, null));
            case WS -> ws(port, key.key);
            case TCP_RESUME -> tcp(TcpClient.send(port, resumeRequest(key)));
        };
    }

    /** {@code sub key 30 "" 1 since}: the new format, resuming after the largest mid it has. */
    private static String resumeRequest(KeyState key) {
        long since;
        synchronized (key) {
            since = key.largest;
        }
        return Wire.request("sub", key.key, "30", "", "1", Long.toString(since));
    }

    private static Connection tcp(TcpClient client) throws IOException {
        client.socket().setSoTimeout((int) READ_IDLE.toMillis());
        return new Connection() {
            @Override
            public String next() throws IOException {
                String line = client.readLine();
                if (line.isEmpty()) {
                    return null;
                }
                if (line.startsWith("$")) {
                    try {
                        return client.readPushAfter(line);
                    } catch (AssertionError e) {
                        throw new IOException("bad frame after " + line.trim() + ": " + e);
                    }
                }
                return line;
            }

            @Override
            public void heartbeat() throws IOException {
                client.socket().getOutputStream().write('h');
            }

            @Override
            public void close() {
                try {
                    client.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        };
    }

    private static Connection ws(int port, String key) throws IOException {
        TextWebSocketClient client;
        try {
            client =
                    TextWebSocketClient.connect(
                            URI.create(
                                    "ws://127.0.0.1:"
                                            + port
                                            + "/sub?key="
                                            + encode(key)
                                            + "&heartbeat=30&ver=1"),
                            null,
                            Duration.ofSeconds(5));
        } catch (Exception e) {
            throw new IOException("WebSocket connect to " + port + " failed: " + e, e);
        }
        return new Connection() {
            @Override
            public String next() throws IOException, InterruptedException {
                long idleSince = System.nanoTime();
                while (true) {
                    String text = client.pollText(Duration.ofMillis(200));
                    if (text != null) {
                        return text;
                    }
                    if (client.ended().isDone()) {
                        return client.pollText(Duration.ZERO);
                    }
                    if (System.nanoTime() - idleSince > READ_IDLE.toNanos()) {
                        throw new SocketTimeoutException("WebSocket idle");
                    }
                }
            }

            @Override
            public void heartbeat() throws Exception {
                client.sendText("h", Duration.ofSeconds(5));
            }

            @Override
            public void close() {
                client.close();
            }
        };
    }

    private void resumeAnswered(KeyState key, String answer) {
        synchronized (key) {
            key.answers.merge(answer, 1, Integer::sum);
            if (!answer.equals("+r complete")) {
                // The scenarios keep the per-key cap far above what they push: no trim explains it.
                key.violations.add(
                        String.format(
                                "%.1f s resume after mid %d answered %s",
                                seconds(), key.largest, answer));
            }
        }
    }

    private void heartbeat() {
        for (KeyState key : keys) {
            Connection c = key.connection;
            if (c != null) {
                try {
                    c.heartbeat();
                } catch (Exception e) {
                    // the reader sees the connection end
                }
            }
        }
    }

    private void accept(KeyState key, Message m, Source source) {
        int seq;
        try {
            JsonNode payload = JSON.readTree(m.payload());
            seq = payload.path("seq").asInt(-1);
            if (!m.payload().equals(payload(key.key, seq))) {
                violation(
                        key,
                        source
                                + " mid "
                                + m.mid()
                                + ": payload not the one pushed: "
                                + ClientMessages.abbreviate(m.payload()));
                return;
            }
        } catch (IOException e) {
            violation(key, source + " mid " + m.mid() + ": payload not JSON: " + m.payload());
            return;
        }
        synchronized (key) {
            if (m.mid() <= key.largest) {
                key.drops++;
                key.notes.add(
                        String.format(
                                "%.1f s dropped mid %d seq %d (%s), largest %d",
                                seconds(), m.mid(), seq, source, key.largest));
                if (key.transport.resumes() && source != Source.FINAL_PULL) {
                    key.violations.add(
                            source
                                    + ": mid "
                                    + m.mid()
                                    + " (seq "
                                    + seq
                                    + ") sent to a resuming client whose largest is "
                                    + key.largest
                                    + ": a mid twice or out of order");
                } else if (!key.seqsHeld.contains(seq)) {
                    key.violations.add(
                            source
                                    + ": dropped mid "
                                    + m.mid()
                                    + " (seq "
                                    + seq
                                    + ") not larger than "
                                    + key.largest
                                    + ", but the client does not have that message");
                }
                return;
            }
            key.largest = m.mid();
            if (!key.seqsHeld.add(seq)) {
                key.duplicatePayloads++;
                long first = key.accepted.stream().filter(r -> r.seq == seq).findFirst().get().mid;
                key.notes.add(
                        String.format(
                                "%.1f s seq %d accepted again under mid %d (%s), first under %d",
                                seconds(), seq, m.mid(), source, first));
            }
            key.accepted.add(new Received(m.mid(), seq, m.payload(), source));
        }
    }

    private void violation(KeyState key, String what) {
        synchronized (key) {
            key.violations.add(what);
        }
    }

    // ---- the end ----

    /** What {@link #finish} found. */
    record Result(
            String report,
            long acknowledged,
            Map<String, Integer> pushErrors,
            List<String> violations,
            int duplicatePayloads,
            int finalPullRecovered) {}

    /**
     * Stops the pushes; waits up to {@code settle} for every acknowledged push to arrive online;
     * stops the subscribers; pulls once more per key from its largest mid; checks.
     */
    Result finish(Duration settle) throws InterruptedException {
        pushing = false;
        for (Thread t : pushers) {
            t.join(HTTP_TIMEOUT.toMillis() + 5_000);
        }
        mark("pushes stopped");
        long deadline = System.nanoTime() + settle.toNanos();
        while (System.nanoTime() < deadline && !allAckedHeld()) {
            Thread.sleep(100);
        }
        mark(allAckedHeld() ? "every acknowledged push held" : "settle time over");
        stopSubscribers();
        int finalPullRecovered = 0;
        for (KeyState key : keys) {
            long from;
            synchronized (key) {
                from = key.largest;
            }
            try {
                List<Message> rest = pull(key.key, from);
                finalPullRecovered += rest.size();
                Set<Integer> heldBefore;
                synchronized (key) {
                    heldBefore = new HashSet<>(key.seqsHeld);
                }
                for (Message m : rest) {
                    accept(key, m, Source.FINAL_PULL);
                }
                if (key.transport.resumes()) {
                    pulledOnly(key, heldBefore);
                }
            } catch (IOException e) {
                violation(key, "final pull failed: " + e);
            }
            checkStored(key);
        }
        mark("final pulls done");
        List<String> violations = new ArrayList<>();
        int duplicates = 0;
        for (KeyState key : keys) {
            synchronized (key) {
                for (String v : key.violations) {
                    violations.add(key.key + ": " + v);
                }
                TreeSet<Integer> missing = new TreeSet<>(key.acked);
                missing.removeAll(key.seqsHeld);
                if (!missing.isEmpty()) {
                    violations.add(
                            key.key
                                    + ": acknowledged pushes never received: seq "
                                    + missing
                                    + " (client's largest mid "
                                    + key.largest
                                    + ")");
                }
                long previous = Long.MIN_VALUE;
                for (Received r : key.accepted) {
                    if (r.mid <= previous) {
                        violations.add(key.key + ": accepted mids not increasing at " + r.mid);
                    }
                    previous = r.mid;
                }
                duplicates += key.duplicatePayloads;
            }
        }
        String report = report();
        System.out.println(report);
        return new Result(
                report, acknowledged(), pushErrors(), violations, duplicates, finalPullRecovered);
    }

    /**
     * A resuming client is brought everything by its comet: an acknowledged push that only the
     * final pull found was lost to it.
     */
    private void pulledOnly(KeyState key, Set<Integer> heldBefore) {
        synchronized (key) {
            TreeSet<Integer> late = new TreeSet<>(key.acked);
            late.retainAll(key.seqsHeld);
            late.removeAll(heldBefore);
            if (!late.isEmpty()) {
                key.violations.add(
                        "acknowledged pushes its comet never sent, found by the final pull: seq "
                                + late);
            }
        }
    }

    private boolean allAckedHeld() {
        for (KeyState key : keys) {
            synchronized (key) {
                if (!key.seqsHeld.containsAll(key.acked)) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Every message the client accepted online within the span the store still returns is stored
     * under the same mid with the same payload (durable before delivered, exact mids).
     */
    private void checkStored(KeyState key) throws InterruptedException {
        List<Message> stored;
        try {
            stored = pull(key.key, 0);
        } catch (IOException e) {
            violation(key, "pull from 0 failed: " + e);
            return;
        }
        if (stored.isEmpty()) {
            return;
        }
        Map<Long, String> byMid = new LinkedHashMap<>();
        for (Message m : stored) {
            byMid.put(m.mid(), m.payload());
        }
        long oldest = stored.get(0).mid();
        synchronized (key) {
            if (key.transport.resumes()) {
                storedButNotReceived(key, stored);
            }
            for (Received r : key.accepted) {
                if (r.mid < oldest) {
                    continue;
                }
                String payload = byMid.get(r.mid);
                if (payload == null) {
                    key.violations.add(
                            r.source + " mid " + r.mid + " (seq " + r.seq + ") not stored");
                } else if (key.transport != Transport.TCP_OLD && !payload.equals(r.payload)) {
                    key.violations.add("stored payload of mid " + r.mid + " differs");
                }
            }
        }
    }

    /**
     * Exactly once per mid, for a resuming client: every mid stored for its key after it started
     * was received (no gap), whether or not its push was acknowledged. Called holding the key.
     */
    private static void storedButNotReceived(KeyState key, List<Message> stored) {
        Set<Long> received = new HashSet<>();
        key.accepted.forEach(r -> received.add(r.mid));
        for (Message m : stored) {
            if (m.mid() > key.startedAfter && !received.contains(m.mid())) {
                key.violations.add(
                        "stored mid "
                                + m.mid()
                                + " never received: "
                                + ClientMessages.abbreviate(m.payload()));
            }
        }
    }

    private void stopSubscribers() throws InterruptedException {
        subscribing = false;
        for (KeyState key : keys) {
            Connection c = key.connection;
            if (c != null) {
                c.close();
            }
        }
        for (Thread t : subscribers) {
            t.interrupt();
            t.join(20_000);
        }
        heartbeats.shutdownNow();
    }

    /** Totals, per-key anomalies and the timeline, for the test output. */
    String report() {
        StringBuilder sb = new StringBuilder();
        long attempted = keys.stream().mapToLong(k -> k.lastSeq).sum();
        int online = 0;
        int pulled = 0;
        int finalPulled = 0;
        int drops = 0;
        int dups = 0;
        int subscribes = 0;
        int disconnects = 0;
        int connectFailures = 0;
        double longestGap = 0;
        Map<String, Integer> refusals = new TreeMap<>();
        Map<String, Integer> answers = new TreeMap<>();
        for (KeyState k : keys) {
            synchronized (k) {
                k.answers.forEach((a, n) -> answers.merge(a, n, Integer::sum));
                for (Received r : k.accepted) {
                    switch (r.source) {
                        case ONLINE -> online++;
                        case PULL -> pulled++;
                        case FINAL_PULL -> finalPulled++;
                    }
                }
                drops += k.drops;
                dups += k.duplicatePayloads;
                subscribes += k.subscribes;
                disconnects += k.disconnects.size();
                connectFailures += k.connectFailures;
                longestGap = Math.max(longestGap, k.longestGap);
                k.refusals.forEach((r, n) -> refusals.merge(r, n, Integer::sum));
            }
        }
        sb.append("== delivery check '").append(name).append("' ==\n");
        sb.append(
                String.format(
                        "pushes: %d attempted, %d acknowledged; not acknowledged: %s%n",
                        attempted, acknowledged(), errorsText()));
        sb.append(
                String.format(
                        "clients (%d keys): accepted %d online, %d pulled after subscribing,"
                                + " %d in the final pull; %d dropped (mid not larger);"
                                + " %d payloads accepted under a second mid%n",
                        keys.size(), online, pulled, finalPulled, drops, dups));
        sb.append(
                String.format(
                        "connections: %d subscribes, %d lost, %d failed to connect or look up,"
                                + " refusals %s, longest time unsubscribed %.1f s%n",
                        subscribes, disconnects, connectFailures, refusals, longestGap));
        if (!answers.isEmpty()) {
            sb.append(String.format("resumes answered: %s%n", answers));
        }
        for (KeyState k : keys) {
            synchronized (k) {
                if (!k.violations.isEmpty()) {
                    sb.append("  ").append(k.key).append(" violations: ").append(k.violations);
                    sb.append('\n');
                }
                if (!k.notes.isEmpty()) {
                    sb.append("  ").append(k.key).append(": ").append(k.notes).append('\n');
                }
            }
        }
        synchronized (timeline) {
            timeline.forEach(t -> sb.append("  ").append(t).append('\n'));
        }
        return sb.toString();
    }

    private String errorsText() {
        synchronized (errors) {
            return errors.isEmpty() ? "none" : errors.toString();
        }
    }

    private HttpResponse<String> get(String path, Duration timeout)
            throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webHttp + path))
                        .timeout(timeout)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** A time id from the web node ({@code /1/time/get}): "now" as a mid. */
    private long timeId() throws InterruptedException {
        for (int attempt = 0; attempt < 20; attempt++) {
            try {
                JsonNode answer = JSON.readTree(get("/1/time/get", Duration.ofSeconds(5)).body());
                if (answer.path("ret").asInt(-1) == 0) {
                    return answer.path("data").path("timeid").asLong();
                }
            } catch (IOException e) {
                // the web node not answering yet: try again
            }
            pause();
        }
        throw new AssertionError(name + ": no time id from the web node");
    }

    private static void pause() {
        sleepNanos(TimeUnit.MILLISECONDS.toNanos(RETRY_MILLIS));
    }

    private static void sleepNanos(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws InterruptedException {
        pushing = false;
        stopSubscribers();
    }
}
