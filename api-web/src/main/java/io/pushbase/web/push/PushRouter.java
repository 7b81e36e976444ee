package io.pushbase.web.push;

import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.pushbase.cluster.logging.MessageLogContext;
import io.pushbase.cluster.message.AppendClaim;
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
 *       ({@code RESOURCE_EXHAUSTED}): {@code ret 65535} with 503 and {@code Retry-After}, nothing
 *       stored; the caller retries later.
 *   <li>There is no owner, or it cannot be reached, times out, no longer owns the key or fails in
 *       any other way: the web node appends the message itself through a message node with a mid
 *       taken exactly as a comet takes it ({@link KeyAppender}, docs/MIDS.md), so it is durable and
 *       ordered after every earlier push of the key; the clients of the key get it from their next
 *       offline pull. {@code ret 0} once appended. An online-only push ({@code expire 0}) has
 *       nothing to store: {@code ret 1001}.
 * </ul>
 *
 * <p>That decision, and the push's claim, are {@link CometFallback}'s (shared with {@link
 * RoomRouter}); the store, its answer and meters are this class's.
 *
 * <p>Multi-key pushes group the keys per owner into one {@code PushMany} each; keys whose group
 * could not be pushed are appended as above, and the answer lists in {@code fk} exactly the keys
 * that were neither pushed nor stored. Fallback appends run at most {@value #FALLBACK_PARALLELISM}
 * at a time per request.
 *
 * <p>One push, one mid (docs/MIDS.md, "Retries without duplicates"): the web node chooses each
 * push's claim ({@link AppendClaim}: random, or derived from the push's idempotency key) and passes
 * it to the comet; the fallback appends with the same claim, looked up first, so a push the comet
 * appended before failing is answered its mid and not stored again. A push with an idempotency key
 * is looked up by the comet too (one read), so a retry within the window is answered the first
 * push's mid, {@code duplicate}, and neither stored nor delivered again.
 *
 * <p>A key push acknowledged without reaching the key's connections — stored by the fallback while
 * its comet was the key's owner, or answered by the comet as a duplicate although it carried no
 * idempotency key (an earlier attempt of the same push, whose answer the comet lost, took the mid;
 * for a multi-key push, a key its comet names in {@code duplicate_keys}) — makes the key's owner
 * comet close them, so their clients reconnect and pull it ({@link #closeUndelivered}). Not for an
 * online-only push: nothing is stored to pull.
 *
 * <p>Thread-safe and non-blocking. Metrics: meters {@code web.push.fallback} (pushes stored by the
 * web node), {@code web.push.fallback.found} (fallbacks that found the push appended already: its
 * comet appended it and failed to answer), {@code web.push.undelivered.closed} and {@code
 * web.push.undelivered.close.failed} (keys whose connections were closed because a push was
 * acknowledged without reaching them, or could not be), {@code web.push.duplicates} (pushes
 * answered as duplicates, by a comet or the fallback), {@code web.push.fallback.failed}, {@code
 * web.push.comet.overloaded}, {@code web.delete.close.failed} (messages deleted but the comet could
 * not be told to close the key).
 */
public final class PushRouter {
    private static final Logger LOG = LoggerFactory.getLogger(PushRouter.class);
    static final int FALLBACK_PARALLELISM = 64;

    /** The idempotency window when none is configured: one day. */
    public static final long DEFAULT_IDEMPOTENCY_WINDOW_SECONDS = 24 * 3600;

    private final CometOwners directory;
    private final Comets comets;
    private final KeyAppender appender;
    private final StoredMessages messages;
    private final Meter fallback;
    private final Meter fallbackFailed;
    private final Meter fallbackFound;
    private final Meter duplicates;
    private final long idempotencyWindowSeconds;
    private final CometFallback cometFailed;
    private final Meter closeFailed;
    private final Meter undeliveredClosed;
    private final Meter undeliveredCloseFailed;
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
        this(directory, comets, appender, messages, DEFAULT_IDEMPOTENCY_WINDOW_SECONDS, metrics);
    }

    /**
     * @param idempotencyWindowSeconds how long a push with an idempotency key is recognised (the
     *     message nodes cut it to their retention)
     */
    public PushRouter(
            CometOwners directory,
            Comets comets,
            KeyAppender appender,
            StoredMessages messages,
            long idempotencyWindowSeconds,
            MetricRegistry metrics) {
        this.idempotencyWindowSeconds = idempotencyWindowSeconds;
        this.directory = directory;
        this.comets = comets;
        this.appender = appender;
        this.messages = messages;
        this.fallback = metrics.meter("web.push.fallback");
        this.fallbackFailed = metrics.meter("web.push.fallback.failed");
        this.fallbackFound = metrics.meter("web.push.fallback.found");
        this.duplicates = metrics.meter("web.push.duplicates");
        this.cometFailed = new CometFallback(metrics.meter("web.push.comet.overloaded"));
        this.closeFailed = metrics.meter("web.delete.close.failed");
        this.undeliveredClosed = metrics.meter("web.push.undelivered.closed");
        this.undeliveredCloseFailed = metrics.meter("web.push.undelivered.close.failed");
    }

    /**
     * Pushes {@code payload} (valid JSON, not copied) to {@code key}.
     *
     * @return the answer once the push was acknowledged or definitely failed
     */
    public CompletableFuture<Answer> push(String key, byte[] payload, long expireSeconds) {
        return push(key, payload, expireSeconds, null);
    }

    /**
     * Pushes {@code payload} (valid JSON, not copied) to {@code key}; with an {@code
     * idempotencyKey} (valid, or null) a retry of the same push within the window is answered the
     * first push's mid, {@code duplicate}, and nothing is stored or delivered again. A push with an
     * idempotency key answers {@code {"duplicate":..,"mid":".."}} in {@code data}; one without
     * answers exactly as before.
     *
     * @return the answer once the push was acknowledged or definitely failed
     */
    public CompletableFuture<Answer> push(
            String key, byte[] payload, long expireSeconds, String idempotencyKey) {
        ByteString body = UnsafeByteOperations.unsafeWrap(payload);
        AppendClaim claim = claimFor(idempotencyKey);
        Optional<CometNode> owner = directory.ownerOf(key);
        if (owner.isEmpty()) {
            return store(key, body, expireSeconds, "no comet node is live", claim)
                    .thenApply(stored -> answer(stored, idempotencyKey));
        }
        CometNode comet = owner.get();
        PushRequest request =
                PushRequest.newBuilder()
                        .setKey(key)
                        .setPayload(body)
                        .setExpireSeconds(expireSeconds)
                        .setClaim(CometFallback.wire(claim))
                        .build();
        return cometFailed.decide(
                comet,
                comets.push(comet, request),
                reply -> {
                    if (reply.getDuplicate()) {
                        duplicateAnswered(key, expireSeconds, idempotencyKey);
                    }
                    return answer(
                            new Stored(Answer.ok(), reply.getMid(), reply.getDuplicate()),
                            idempotencyKey);
                },
                refusal -> refusal,
                // The comet may have appended (and delivered) before it failed: look the claim
                // up before storing.
                why ->
                        store(key, body, expireSeconds, why, claim.lookedUpFirst())
                                .thenApply(
                                        stored -> {
                                            if (stored.answer.ret() == Ret.OK) {
                                                closeUndelivered(key);
                                            }
                                            return answer(stored, idempotencyKey);
                                        }));
    }

    /** A comet answered that {@code key}'s push was a duplicate: appended before, not now. */
    private void duplicateAnswered(String key, long expireSeconds, String idempotencyKey) {
        duplicates.mark();
        if (idempotencyKey == null && expireSeconds > 0) {
            // A random claim the store held already: an earlier attempt of this very push took
            // the mid (an append whose answer the comet lost, then found by its next proposal),
            // and so nobody delivered it live. Stored, so its clients get it from the pull after
            // they reconnect; an online-only push is not stored, and a reconnect would find
            // nothing.
            closeUndelivered(key);
        }
    }

    private AppendClaim claimFor(String idempotencyKey) {
        return CometFallback.claimFor(idempotencyKey, idempotencyWindowSeconds);
    }

    /** A push with an idempotency key answers its mid (as a string: exact in JavaScript). */
    private static Answer answer(Stored stored, String idempotencyKey) {
        if (idempotencyKey == null || stored.answer.ret() != Ret.OK) {
            return stored.answer;
        }
        return Answer.ok(Data.pushed(stored.mid, stored.duplicate));
    }

    /** A push's outcome: its answer and, when acknowledged, its mid. */
    private record Stored(Answer answer, long mid, boolean duplicate) {
        static Stored failed(Answer answer) {
            return new Stored(answer, 0, false);
        }
    }

    /**
     * Pushes {@code payload} to every key of {@code keys} (distinct, valid).
     *
     * @return {@code ret 0}, with {@code fk} listing the keys neither pushed nor stored, if any
     */
    public CompletableFuture<Answer> pushMany(
            List<String> keys, byte[] payload, long expireSeconds) {
        return pushMany(keys, payload, expireSeconds, null);
    }

    /**
     * {@link #pushMany(List, byte[], long)}; with an {@code idempotencyKey} each key's push is
     * recognised on a retry within the window (claims live per key, so one claim serves every key):
     * a key pushed before is neither stored nor delivered again, and is not in {@code fk}.
     */
    public CompletableFuture<Answer> pushMany(
            List<String> keys, byte[] payload, long expireSeconds, String idempotencyKey) {
        ByteString body = UnsafeByteOperations.unsafeWrap(payload);
        AppendClaim claim = claimFor(idempotencyKey);
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
            failed.add(
                    pushGroup(
                            group.getKey(),
                            group.getValue(),
                            body,
                            expireSeconds,
                            claim,
                            idempotencyKey));
        }
        if (!ownerless.isEmpty()) {
            failed.add(storeEach(ownerless, body, expireSeconds, "no comet node is live", claim));
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
            CometNode comet,
            List<String> keys,
            ByteString body,
            long expireSeconds,
            AppendClaim claim,
            String idempotencyKey) {
        PushManyRequest request =
                PushManyRequest.newBuilder()
                        .addAllKeys(keys)
                        .setPayload(body)
                        .setExpireSeconds(expireSeconds)
                        .setClaim(CometFallback.wire(claim))
                        .build();
        return cometFailed.decide(
                comet,
                comets.pushMany(comet, request),
                reply -> {
                    for (String key : reply.getDuplicateKeysList()) {
                        duplicateAnswered(key, expireSeconds, idempotencyKey);
                    }
                    return List.copyOf(reply.getFailedKeysList());
                },
                refusal -> {
                    LOG.warn(
                            "Multi-key push of {} keys refused: {}",
                            keys.size(),
                            refusal.problem());
                    return keys;
                },
                // Some keys may have been appended before it failed.
                why ->
                        storeEach(keys, body, expireSeconds, why, claim.lookedUpFirst())
                                .thenApply(
                                        notStored -> {
                                            for (String key : keys) {
                                                if (!notStored.contains(key)) {
                                                    closeUndelivered(key);
                                                }
                                            }
                                            return notStored;
                                        }));
    }

    /** Appends to each key, a window at a time; completes with the keys not stored. */
    private CompletableFuture<List<String>> storeEach(
            List<String> keys, ByteString body, long expireSeconds, String why, AppendClaim claim) {
        List<String> notStored = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (int from = 0; from < keys.size(); from += FALLBACK_PARALLELISM) {
            List<String> window =
                    keys.subList(from, Math.min(keys.size(), from + FALLBACK_PARALLELISM));
            chain =
                    chain.thenCompose(
                            ignored ->
                                    storeAll(window, body, expireSeconds, why, claim, notStored));
        }
        return chain.thenApply(done -> List.copyOf(notStored));
    }

    private CompletableFuture<Void> storeAll(
            List<String> keys,
            ByteString body,
            long expireSeconds,
            String why,
            AppendClaim claim,
            List<String> notStored) {
        CompletableFuture<?>[] stores = new CompletableFuture<?>[keys.size()];
        for (int i = 0; i < stores.length; i++) {
            String key = keys.get(i);
            stores[i] =
                    store(key, body, expireSeconds, why, claim)
                            .thenAccept(
                                    stored -> {
                                        if (stored.answer.ret() != Ret.OK) {
                                            notStored.add(key);
                                        }
                                    });
        }
        return CompletableFuture.allOf(stores);
    }

    /**
     * The fallback: appends the push through a message node, as its comet would have, with the
     * push's claim. A claim {@link AppendClaim#findFirst() looked up first} that the store already
     * holds (the comet appended, then failed to answer; or an idempotency key's earlier push) is
     * answered with the mid it took and stored nothing again (meter {@code
     * web.push.fallback.found}).
     */
    private CompletableFuture<Stored> store(
            String key, ByteString body, long expireSeconds, String why, AppendClaim claim) {
        if (expireSeconds == 0) {
            return CompletableFuture.completedFuture(
                    Stored.failed(
                            Answer.error(
                                    Ret.NO_COMET,
                                    why
                                            + "; an online-only push (expire 0) has nothing to"
                                            + " store")));
        }
        return appender.append(key, body, expireSeconds, 0, claim)
                .handle(
                        (appended, err) -> {
                            if (err == null) {
                                if (appended.duplicate()) {
                                    fallbackFound.mark();
                                    duplicates.mark();
                                } else {
                                    fallback.mark();
                                }
                                long mid = appended.mid();
                                try (MessageLogContext ignored = MessageLogContext.of(key, mid)) {
                                    LOG.debug(
                                            "Push to key '{}' {} by the web node with mid {}: {}",
                                            key,
                                            appended.duplicate() ? "found stored" : "stored",
                                            mid,
                                            why);
                                    fallbackLog.note(key, mid, why);
                                }
                                return new Stored(Answer.ok(), mid, appended.duplicate());
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
                            return Stored.failed(CometFallback.storeFailed(why, err));
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
                                                + CometFallback.rootMessage(err)));
    }

    private void closeOnComet(String key) {
        closeOnComet(key, closeFailed)
                .thenAccept(
                        failure -> {
                            if (failure != null) {
                                try (MessageLogContext ignored = MessageLogContext.of(key)) {
                                    LOG.warn("Key '{}' deleted; {}", key, failure);
                                }
                            }
                        });
    }

    /**
     * A push acknowledged without reaching the key's live connections (the fallback stored it, or
     * found it stored, after its comet failed; or the comet found its random claim taken by an
     * earlier attempt), whose clients would not pull it before their next reconnect: the comet that
     * owns the key is asked to close them, so its clients reconnect and pull it now (docs/WEB.md,
     * "When a comet is down"). Asked only after the push is stored, so the pull finds it. Best
     * effort, counted: {@code web.push.undelivered.closed}, {@code
     * web.push.undelivered.close.failed} (logged at debug only: a comet outage at full rate would
     * flood the log).
     */
    private void closeUndelivered(String key) {
        closeOnComet(key, undeliveredCloseFailed)
                .thenAccept(
                        failure -> {
                            if (failure == null) {
                                undeliveredClosed.mark();
                            } else {
                                try (MessageLogContext ignored = MessageLogContext.of(key)) {
                                    LOG.debug(
                                            "Push to key '{}' stored by the web node; {}",
                                            key,
                                            failure);
                                }
                            }
                        });
    }

    /**
     * Asks the key's owner comet, if any, to close the key's connections; completes with null when
     * it did (or no comet owns the key now: no connections to close, counted as closed), else with
     * what failed ({@code failed} marked).
     */
    private CompletableFuture<String> closeOnComet(String key, Meter failed) {
        Optional<CometNode> owner = directory.ownerOf(key);
        if (owner.isEmpty()) {
            return CompletableFuture.completedFuture(null); // no comet: no connections to close
        }
        CometNode comet = owner.get();
        return comets.close(comet, CloseRequest.newBuilder().setKey(key).build())
                .handle(
                        (closed, err) -> {
                            if (err == null) {
                                return null;
                            }
                            failed.mark();
                            return "closing it on " + comet.instanceId() + " failed: " + err;
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
}
