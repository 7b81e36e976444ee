package io.pushbase.comet.push;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import io.pushbase.cluster.message.AppendClaim;
import io.pushbase.cluster.message.KeyAppender;
import io.pushbase.cluster.message.MessageLog;
import io.pushbase.comet.channel.KeyChannels;
import io.pushbase.comet.subscription.Subscriber;
import io.pushbase.schema.client.Keys;
import io.pushbase.schema.client.MidClock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes a message to a key: assigns its mid, has it appended by a message node, then writes it to
 * every live connection of the key; the future completes with the mid only after the append was
 * acknowledged (durable when {@code expire > 0}, docs/DESIGN.md invariant 1).
 *
 * <p>Ordering: one key's pushes run one at a time, in arrival order ({@link SequencedPushes}), so
 * its connections receive messages in mid order. The mid proposed is {@code max(now, last + 1)};
 * the message node takes it only if it is larger than every mid the key has had (docs/MIDS.md),
 * otherwise it answers the key's head and the push proposes {@code head + 1}, at most {@value
 * KeyAppender#MAX_PROPOSALS} times ({@link KeyAppender}). Different keys run in parallel.
 *
 * <p>Bounds: at most {@code maxQueuedPerKey} pushes wait per key and {@code maxInFlight} in the
 * whole comet; beyond either the push fails at once with {@link PushRejectedException}. A push for
 * a key this comet does not own fails the same way. Failures of the message log fail the push
 * (nothing was delivered).
 *
 * <p>Thread-safe and non-blocking. Metrics: timer {@code comet.push}, meters {@code
 * comet.push.acknowledged} (pushes answered with their mid), {@code comet.push.failed}, {@code
 * comet.push.rejected}, {@code comet.push.conflicts}, {@code comet.push.duplicates} (pushes
 * recognised as retries of one appended before: answered its mid, delivered to no one), counter
 * {@code comet.push.delivered} (messages written to connections), {@code comet.push.undelivered}
 * (connections closed or overflowing at delivery).
 */
public final class PushPipeline {
    private static final Logger LOG = LoggerFactory.getLogger(PushPipeline.class);

    private final KeyChannels channels;
    private final SequencedPushes pushes;
    private final int maxPayloadBytes;
    private final Counter delivered;
    private final Counter undelivered;

    /**
     * @param owns whether this comet may push to a key now (leader, ZooKeeper session, ring)
     */
    public PushPipeline(
            KeyChannels channels,
            MessageLog log,
            MidClock clock,
            Predicate<String> owns,
            int maxPayloadBytes,
            int maxQueuedPerKey,
            int maxInFlight,
            MetricRegistry metrics) {
        this.maxPayloadBytes = maxPayloadBytes;
        this.channels = channels;
        this.pushes =
                new SequencedPushes(
                        "key",
                        "pushes",
                        "comet.push",
                        new KeyAppender(log, clock, metrics.meter("comet.push.conflicts")),
                        owns,
                        maxQueuedPerKey,
                        maxInFlight,
                        metrics,
                        LOG);
        this.delivered = metrics.counter("comet.push.delivered");
        this.undelivered = metrics.counter("comet.push.undelivered");
    }

    /**
     * Pushes {@code payload} to {@code key}.
     *
     * @param payload the message JSON as pushed; not copied, must not be modified afterwards
     * @param expireSeconds 0 = online only (the mid is taken, nothing is stored)
     * @return the message's mid and reach, once appended and written to the key's connections
     */
    public CompletableFuture<Pushed> push(String key, byte[] payload, long expireSeconds) {
        return push(key, payload, expireSeconds, AppendClaim.random());
    }

    /**
     * Pushes {@code payload} to {@code key}, appended with {@code claim} (chosen by the web node,
     * docs/MIDS.md "Retries without duplicates"). A push whose claim already holds a mid (an
     * idempotency key's retry, or a push a web node's fallback stored meanwhile) completes with
     * that mid, {@link Pushed#duplicate()}, and is delivered to no one.
     */
    public CompletableFuture<Pushed> push(
            String key, byte[] payload, long expireSeconds, AppendClaim claim) {
        return push(key, payload, expireSeconds, claim, () -> false);
    }

    /**
     * {@link #push(String, byte[], long, AppendClaim)} for a caller that may give up: when {@code
     * abandoned} is true by the time the push's turn comes (after the pushes queued before it for
     * the key), it is not appended and fails with {@link PushRejectedException.Reason#ABANDONED}. A
     * web node whose deadline passed stores the push itself; an append started after that would
     * propose a later mid than the web node's and could store it a second time.
     */
    public CompletableFuture<Pushed> push(
            String key,
            byte[] payload,
            long expireSeconds,
            AppendClaim claim,
            BooleanSupplier abandoned) {
        String invalid = invalid(key, payload, expireSeconds);
        if (invalid != null) {
            return pushes.refuse(PushRejectedException.Reason.INVALID, invalid);
        }
        return pushes.push(
                key,
                payload,
                expireSeconds,
                claim,
                abandoned,
                taken ->
                        CompletableFuture.completedFuture(
                                taken.duplicate()
                                        // Delivered (or stored for the pull) by the attempt that
                                        // took it.
                                        ? new Pushed(taken.mid(), 0, true)
                                        : new Pushed(
                                                taken.mid(), deliver(key, taken.mid(), payload))),
                Pushed::duplicate);
    }

    /** Why a push is invalid, or null when it is not. */
    String invalid(String key, byte[] payload, long expireSeconds) {
        String keyProblem = Keys.problem(key);
        if (keyProblem != null) {
            return keyProblem;
        }
        String payloadProblem = SequencedPushes.payloadProblem(payload, maxPayloadBytes);
        if (payloadProblem != null) {
            return payloadProblem;
        }
        if (expireSeconds < 0) {
            return "expire must not be negative, got " + expireSeconds;
        }
        return null;
    }

    /**
     * Pushes to many keys independently; completes with the keys whose push failed and those
     * recognised as duplicates. Invalid input for any key fails the whole call before anything is
     * pushed.
     */
    public CompletableFuture<PushedMany> pushMany(
            List<String> keys, byte[] payload, long expireSeconds) {
        return pushMany(keys, payload, expireSeconds, null, () -> false);
    }

    /**
     * {@link #pushMany(List, byte[], long)}, every key appended with {@code claim} (null: a random
     * claim per key; claims live per key, so one claim serves every key), and none once {@code
     * abandoned} (as {@link #push(String, byte[], long, AppendClaim, BooleanSupplier)}).
     */
    public CompletableFuture<PushedMany> pushMany(
            List<String> keys,
            byte[] payload,
            long expireSeconds,
            AppendClaim claim,
            BooleanSupplier abandoned) {
        if (keys == null || keys.isEmpty()) {
            return pushes.refuse(PushRejectedException.Reason.INVALID, "keys must not be empty");
        }
        for (String key : keys) {
            String invalid = invalid(key, payload, expireSeconds);
            if (invalid != null) {
                return pushes.refuse(PushRejectedException.Reason.INVALID, invalid);
            }
        }
        List<String> unique = keys.stream().distinct().toList();
        // Per key: the push, or null when it failed.
        List<CompletableFuture<Pushed>> outcomes = new ArrayList<>(unique.size());
        for (String key : unique) {
            outcomes.add(
                    push(
                                    key,
                                    payload,
                                    expireSeconds,
                                    claim == null ? AppendClaim.random() : claim,
                                    abandoned)
                            .handle((pushed, err) -> err == null ? pushed : null));
        }
        return CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new))
                .thenApply(
                        done -> {
                            List<String> failedKeys = new ArrayList<>();
                            List<String> duplicateKeys = new ArrayList<>();
                            for (int i = 0; i < unique.size(); i++) {
                                Pushed pushed = outcomes.get(i).join();
                                if (pushed == null) {
                                    failedKeys.add(unique.get(i));
                                } else if (pushed.duplicate()) {
                                    duplicateKeys.add(unique.get(i));
                                }
                            }
                            return new PushedMany(failedKeys, duplicateKeys);
                        });
    }

    private int deliver(String key, long mid, byte[] payload) {
        int queued = 0;
        for (Subscriber s : channels.subscribers(key)) {
            if (s.deliver(mid, payload) == Subscriber.Delivery.QUEUED) {
                queued++;
            } else {
                undelivered.inc();
            }
        }
        delivered.inc(queued);
        return queued;
    }
}
