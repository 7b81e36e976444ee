package io.pushbase.web.push;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Status;
import io.pushbase.cluster.grpc.GrpcFutures;
import io.pushbase.cluster.logging.MessageLogContext;
import io.pushbase.cluster.message.KeyAppender;
import io.pushbase.schema.comet.v1.CloseRequest;
import io.pushbase.schema.comet.v1.PushManyRequest;
import io.pushbase.schema.comet.v1.PushRequest;
import io.pushbase.web.comet.CometClient;
import io.pushbase.web.comet.CometDirectory;
import io.pushbase.web.comet.CometDirectory.CometNode;
import io.pushbase.web.comet.CometOwners;
import io.pushbase.web.comet.Comets;
import io.pushbase.web.reply.Answer;
import io.pushbase.web.reply.Data;
import io.pushbase.web.reply.Ret;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes admin pushes and deletes to the comet that owns each key, and keeps a push durable when
 * that comet cannot take it (docs/WEB.md, "When a comet is down"):
 *
 * <ul>
 *   <li>The owner answers: its answer stands (the comet appended, then delivered).
 *   <li>The owner refuses the input ({@code INVALID_ARGUMENT}): {@code ret 65534}. It is overloaded
 *       ({@code RESOURCE_EXHAUSTED}): {@code ret 65535}, nothing stored; the caller retries later.
 *   <li>There is no owner, or it cannot be reached, times out, no longer owns the key or fails in
 *       any other way: the web node appends the message itself through a message node with a mid
 *       taken exactly as a comet takes it ({@link KeyAppender}, docs/MIDS.md), so it is durable and
 *       ordered after every earlier push of the key; the clients of the key get it from their next
 *       offline pull. {@code ret 0} once appended. An online-only push ({@code expire 0}) has
 *       nothing to store: {@code ret 1001}.
 * </ul>
 *
 * <p>Multi-key pushes group the keys per owner into one {@code PushMany} each; keys whose group
 * could not be pushed are appended as above, and the answer lists in {@code fk} exactly the keys
 * that were neither pushed nor stored. Fallback appends run at most {@value #FALLBACK_PARALLELISM}
 * at a time per request.
 *
 * <p>Thread-safe and non-blocking. Metrics: meters {@code web.push.fallback} (pushes stored by the
 * web node), {@code web.push.fallback.failed}, {@code web.push.comet.overloaded}, {@code
 * web.delete.close.failed} (messages deleted but the comet could not be told to close the key).
 */
public final class PushRouter {
    private static final Logger LOG = LoggerFactory.getLogger(PushRouter.class);
    static final int FALLBACK_PARALLELISM = 64;

    private final CometOwners directory;
    private final Comets comets;
    private final KeyAppender appender;
    private final StoredMessages messages;
    private final Meter fallback;
    private final Meter fallbackFailed;
    private final Meter overloaded;
    private final Meter closeFailed;
    private final FallbackLog fallbackLog = new FallbackLog();

    /**
     * @param directory which comet owns a key ({@link CometDirectory} in the web node)
     * @param comets how comets are called ({@link CometClient})
     * @param appender how the web node appends a push itself when its comet cannot take it
     * @param messages how a key's stored messages are deleted
     */
    public PushRouter(
            CometOwners directory,
            Comets comets,
            KeyAppender appender,
            StoredMessages messages,
            MetricRegistry metrics) {
        this.directory = directory;
        this.comets = comets;
        this.appender = appender;
        this.messages = messages;
        this.fallback = metrics.meter("web.push.fallback");
        this.fallbackFailed = metrics.meter("web.push.fallback.failed");
        this.overloaded = metrics.meter("web.push.comet.overloaded");
        this.closeFailed = metrics.meter("web.delete.close.failed");
    }

    /**
     * Pushes {@code payload} (valid JSON, not copied) to {@code key}.
     *
     * @return the answer once the push was acknowledged or definitely failed
     */
    public CompletableFuture<Answer> push(String key, byte[] payload, long expireSeconds) {
        ByteString body = UnsafeByteOperations.unsafeWrap(payload);
        Optional<CometNode> owner = directory.ownerOf(key);
        if (owner.isEmpty()) {
            return store(key, body, expireSeconds, "no comet node is live");
        }
        CometNode comet = owner.get();
        PushRequest request =
                PushRequest.newBuilder()
                        .setKey(key)
                        .setPayload(body)
                        .setExpireSeconds(expireSeconds)
                        .build();
        return comets.push(comet, request)
                .handle(
                        (reply, err) -> {
                            if (err == null) {
                                return CompletableFuture.completedFuture(Answer.ok());
                            }
                            Status status = Status.fromThrowable(err);
                            return switch (status.getCode()) {
                                case INVALID_ARGUMENT ->
                                        CompletableFuture.completedFuture(
                                                Answer.error(Ret.PARAM, describe(comet, status)));
                                case RESOURCE_EXHAUSTED -> {
                                    overloaded.mark();
                                    yield CompletableFuture.completedFuture(
                                            Answer.error(Ret.INTERNAL, describe(comet, status)));
                                }
                                default -> store(key, body, expireSeconds, describe(comet, status));
                            };
                        })
                .thenCompose(answer -> answer);
    }

    /**
     * Pushes {@code payload} to every key of {@code keys} (distinct, valid).
     *
     * @return {@code ret 0}, with {@code fk} listing the keys neither pushed nor stored, if any
     */
    public CompletableFuture<Answer> pushMany(
            List<String> keys, byte[] payload, long expireSeconds) {
        ByteString body = UnsafeByteOperations.unsafeWrap(payload);
        Map<CometNode, List<String>> byComet = new LinkedHashMap<>();
        List<String> ownerless = new ArrayList<>();
        for (String key : keys) {
            Optional<CometNode> owner = directory.ownerOf(key);
            if (owner.isPresent()) {
                byComet.computeIfAbsent(owner.get(), c -> new ArrayList<>()).add(key);
            } else {
                ownerless.add(key);
            }
        }
        List<CompletableFuture<List<String>>> failed = new ArrayList<>();
        for (Map.Entry<CometNode, List<String>> group : byComet.entrySet()) {
            failed.add(pushGroup(group.getKey(), group.getValue(), body, expireSeconds));
        }
        if (!ownerless.isEmpty()) {
            failed.add(storeEach(ownerless, body, expireSeconds, "no comet node is live"));
        }
        return CompletableFuture.allOf(failed.toArray(CompletableFuture[]::new))
                .thenApply(
                        done -> {
                            List<String> fk = new ArrayList<>();
                            for (CompletableFuture<List<String>> f : failed) {
                                fk.addAll(f.join());
                            }
                            return fk.isEmpty() ? Answer.ok() : Answer.ok(Data.failedKeys(fk));
                        });
    }

    private CompletableFuture<List<String>> pushGroup(
            CometNode comet, List<String> keys, ByteString body, long expireSeconds) {
        PushManyRequest request =
                PushManyRequest.newBuilder()
                        .addAllKeys(keys)
                        .setPayload(body)
                        .setExpireSeconds(expireSeconds)
                        .build();
        return comets.pushMany(comet, request)
                .handle(
                        (reply, err) -> {
                            if (err == null) {
                                return CompletableFuture.completedFuture(
                                        List.copyOf(reply.getFailedKeysList()));
                            }
                            Status status = Status.fromThrowable(err);
                            switch (status.getCode()) {
                                case INVALID_ARGUMENT, RESOURCE_EXHAUSTED -> {
                                    if (status.getCode() == Status.Code.RESOURCE_EXHAUSTED) {
                                        overloaded.mark();
                                    }
                                    LOG.warn(
                                            "Multi-key push of {} keys refused: {}",
                                            keys.size(),
                                            describe(comet, status));
                                    return CompletableFuture.completedFuture(keys);
                                }
                                default -> {
                                    return storeEach(
                                            keys, body, expireSeconds, describe(comet, status));
                                }
                            }
                        })
                .thenCompose(f -> f);
    }

    /** Appends to each key, a window at a time; completes with the keys not stored. */
    private CompletableFuture<List<String>> storeEach(
            List<String> keys, ByteString body, long expireSeconds, String why) {
        List<String> notStored = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (int from = 0; from < keys.size(); from += FALLBACK_PARALLELISM) {
            List<String> window =
                    keys.subList(from, Math.min(keys.size(), from + FALLBACK_PARALLELISM));
            chain =
                    chain.thenCompose(
                            ignored -> storeAll(window, body, expireSeconds, why, notStored));
        }
        return chain.thenApply(done -> List.copyOf(notStored));
    }

    private CompletableFuture<Void> storeAll(
            List<String> keys,
            ByteString body,
            long expireSeconds,
            String why,
            List<String> notStored) {
        CompletableFuture<?>[] stores = new CompletableFuture<?>[keys.size()];
        for (int i = 0; i < stores.length; i++) {
            String key = keys.get(i);
            stores[i] =
                    store(key, body, expireSeconds, why)
                            .thenAccept(
                                    answer -> {
                                        if (answer.ret() != Ret.OK) {
                                            notStored.add(key);
                                        }
                                    });
        }
        return CompletableFuture.allOf(stores);
    }

    /** The fallback: appends the push through a message node, as its comet would have. */
    private CompletableFuture<Answer> store(
            String key, ByteString body, long expireSeconds, String why) {
        if (expireSeconds == 0) {
            return CompletableFuture.completedFuture(
                    Answer.error(
                            Ret.NO_COMET,
                            why + "; an online-only push (expire 0) has nothing to store"));
        }
        return appender.append(key, body, expireSeconds, 0)
                .handle(
                        (mid, err) -> {
                            if (err == null) {
                                fallback.mark();
                                try (MessageLogContext ignored = MessageLogContext.of(key, mid)) {
                                    LOG.debug(
                                            "Push to key '{}' stored by the web node with mid {}:"
                                                    + " {}",
                                            key,
                                            mid,
                                            why);
                                    fallbackLog.note(key, mid, why);
                                }
                                return Answer.ok();
                            }
                            fallbackFailed.mark();
                            try (MessageLogContext ignored = MessageLogContext.of(key)) {
                                LOG.warn(
                                        "Push to key '{}' lost its comet ({}) and could not be"
                                                + " stored: {}",
                                        key,
                                        why,
                                        err.toString());
                            }
                            return Answer.error(
                                    Ret.INTERNAL,
                                    why + "; storing it failed too: " + rootMessage(err));
                        });
    }

    /**
     * Deletes every stored message of {@code key}, then has its comet close the key's connections
     * (best effort: the delete stands when the comet cannot be told).
     */
    public CompletableFuture<Answer> delete(String key) {
        return messages.delete(key)
                .thenApply(
                        done -> {
                            closeOnComet(key);
                            return Answer.ok();
                        })
                .exceptionally(
                        err ->
                                Answer.error(
                                        Ret.INTERNAL,
                                        "deleting the messages of key '"
                                                + key
                                                + "' failed: "
                                                + rootMessage(err)));
    }

    private void closeOnComet(String key) {
        Optional<CometNode> owner = directory.ownerOf(key);
        if (owner.isEmpty()) {
            return; // no comet: no connections to close
        }
        CometNode comet = owner.get();
        comets.close(comet, CloseRequest.newBuilder().setKey(key).build())
                .whenComplete(
                        (closed, err) -> {
                            if (err != null) {
                                closeFailed.mark();
                                try (MessageLogContext ignored = MessageLogContext.of(key)) {
                                    LOG.warn(
                                            "Key '{}' deleted; closing it on {} failed: {}",
                                            key,
                                            comet.instanceId(),
                                            err.toString());
                                }
                            }
                        });
    }

    /**
     * One WARN line per {@value #FALLBACK_LOG_SECONDS} s at most while pushes are being stored by
     * the web node (a comet outage at full rate must not flood the log; the meter counts each).
     */
    private static final class FallbackLog {
        private boolean logged; // guarded by this
        private long lastLogged; // guarded by this
        private long count; // guarded by this

        synchronized void note(String key, long mid, String why) {
            count++;
            long now = System.nanoTime();
            if (!logged || now - lastLogged >= FALLBACK_LOG_SECONDS * 1_000_000_000L) {
                LOG.warn(
                        "{} push(es) stored by the web node since the last such line, their comet"
                                + " could not take them (meter web.push.fallback); latest: key"
                                + " '{}' mid {}: {}",
                        count,
                        key,
                        mid,
                        why);
                count = 0;
                logged = true;
                lastLogged = now;
            }
        }
    }

    private static final long FALLBACK_LOG_SECONDS = 10;

    private static String describe(CometNode comet, Status status) {
        return "comet "
                + comet.nodeName()
                + " ("
                + comet.instanceId()
                + ") answered "
                + status.getCode()
                + (status.getDescription() == null ? "" : ": " + status.getDescription());
    }

    private static String rootMessage(Throwable err) {
        Throwable t = GrpcFutures.unwrap(err);
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
