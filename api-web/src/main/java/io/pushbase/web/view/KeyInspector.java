package io.pushbase.web.view;

import io.pushbase.cluster.message.MessageNodeClient;
import io.pushbase.schema.message.v1.FetchReply;
import io.pushbase.schema.message.v1.StoredMessage;
import io.pushbase.web.comet.CometClient;
import io.pushbase.web.comet.CometDirectory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One key as an operator asks about it during an incident: the comet that owns it on the ring (the
 * one that admits its subscribers and takes its pushes), the key's live connections there (the
 * comet's {@code Online}), its newest stored mid (a message node's {@code Last}) and its stored
 * messages with their expiry (a message node's {@code Fetch} from the start, as an offline pull
 * from mid 0 would answer them).
 *
 * <p>Each part is asked independently and in parallel; a part whose node does not answer is
 * reported with its problem, the others still answer. Mids are rendered as decimal strings:
 * browsers read JSON numbers as doubles, which cannot hold a mid exactly. Thread-safe; holds no
 * state of its own.
 */
public final class KeyInspector {
    private final CometDirectory ring;
    private final CometClient comets;
    private final MessageNodeClient messages;
    private final int maxMessages;

    /**
     * @param maxMessages most stored messages listed (the web node's pull bound)
     */
    public KeyInspector(
            CometDirectory ring, CometClient comets, MessageNodeClient messages, int maxMessages) {
        this.ring = ring;
        this.comets = comets;
        this.messages = messages;
        this.maxMessages = maxMessages;
    }

    /** The comet on the ring that owns the key (its leader's instance id and addresses). */
    public record Owner(String nodeName, String id, Map<String, String> addresses) {}

    /**
     * One stored message: its mid, its payload as text, and when it expires (epoch milliseconds;
     * null when the message node did not record it, for messages stored before it did).
     */
    public record Message(String mid, String msg, Long expiresAt) {}

    /**
     * The report. {@code owner} is null when no comet is on the ring; {@code connections} null with
     * {@code connectionsProblem} when the owner did not answer; {@code head} (the newest stored
     * mid, "0" when none) and {@code messages} null with their problem when no message node
     * answered. {@code floor} is the key's low-water mark (docs/STORE.md): every message with a mid
     * up to it may be gone, so a client holding a mid at or above it resumes "complete"; null when
     * the message node did not say (with {@code messages}' problem, or a node older than the mark).
     */
    public record Report(
            String key,
            Owner owner,
            Integer connections,
            String connectionsProblem,
            String head,
            String headProblem,
            List<Message> messages,
            String messagesProblem,
            String floor) {}

    /** Asks every part; the future always completes normally. */
    public CompletableFuture<Report> inspect(String key) {
        Optional<CometDirectory.CometNode> owner = ring.ownerOf(key);
        CompletableFuture<Integer> connections =
                owner.map(comet -> comets.online(comet, key))
                        .orElseGet(
                                () ->
                                        CompletableFuture.failedFuture(
                                                new IllegalStateException("no comet on the ring")));
        CompletableFuture<Long> head = messages.last(key);
        CompletableFuture<FetchReply> stored = messages.fetchWithFloor(key, 0, maxMessages);
        return CompletableFuture.allOf(
                        connections.exceptionally(e -> null),
                        head.exceptionally(e -> null),
                        stored.exceptionally(e -> null))
                .thenApply(
                        done ->
                                new Report(
                                        key,
                                        owner.map(
                                                        c ->
                                                                new Owner(
                                                                        c.nodeName(),
                                                                        c.instanceId(),
                                                                        c.details().getAddresses()))
                                                .orElse(null),
                                        value(connections),
                                        problem(connections),
                                        Optional.ofNullable(value(head))
                                                .map(String::valueOf)
                                                .orElse(null),
                                        problem(head),
                                        Optional.ofNullable(value(stored))
                                                .map(r -> messages(r.getMessagesList()))
                                                .orElse(null),
                                        problem(stored),
                                        Optional.ofNullable(value(stored))
                                                .filter(FetchReply::hasFloor)
                                                .map(r -> Long.toString(r.getFloor()))
                                                .orElse(null)));
    }

    private static List<Message> messages(List<StoredMessage> stored) {
        return stored.stream()
                .map(
                        m ->
                                new Message(
                                        Long.toString(m.getMid()),
                                        // Stored payloads are JSON in UTF-8; an older, invalid one
                                        // shows with replacement characters rather than failing.
                                        new String(
                                                m.getPayload().toByteArray(),
                                                StandardCharsets.UTF_8),
                                        m.getExpiresAtMillis() > 0 ? m.getExpiresAtMillis() : null))
                .toList();
    }

    private static <T> T value(CompletableFuture<T> part) {
        return part.isCompletedExceptionally() ? null : part.join();
    }

    private static String problem(CompletableFuture<?> part) {
        if (!part.isCompletedExceptionally()) {
            return null;
        }
        return part.handle((v, e) -> io.pushbase.cluster.grpc.GrpcFutures.unwrap(e).toString())
                .join();
    }
}
