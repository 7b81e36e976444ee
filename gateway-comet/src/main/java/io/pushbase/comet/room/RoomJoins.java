package io.pushbase.comet.room;

import com.codahale.metrics.Counter;
import io.pushbase.cluster.token.TokenVerifier;
import io.pushbase.comet.replay.Replayer;
import io.pushbase.comet.subscription.ChannelSubscriber;
import io.pushbase.comet.subscription.Subscription;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * (Pushbase, issue 14) The comet's rooms as the connections see them: its {@link RoomIndex}, its
 * {@link RoomSettings}, the token check (auth on: the token's {@code rooms} claim) and the replay
 * of a room's stored messages for a join with a since (the key replay's {@link Replayer} over the
 * room logs, {@link Replayer#withHistory}). Each admitted connection gets its {@link
 * ConnectionRooms} from {@link #open}.
 *
 * <p>Thread-safe; one per comet, shared by every transport.
 */
public final class RoomJoins {
    private final RoomSettings settings;
    private final RoomIndex index;
    private final Optional<TokenVerifier> tokens;
    private final Replayer replayer;
    private final RoomMetrics metrics;

    /**
     * @param tokens the token check when auth is on (then a connection may join the rooms its
     *     token's claim names), empty when auth is off (any room)
     * @param replayer replays room logs (its history reads a room's stored messages)
     */
    public RoomJoins(
            RoomSettings settings,
            RoomIndex index,
            Optional<TokenVerifier> tokens,
            Replayer replayer,
            RoomMetrics metrics) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.index = Objects.requireNonNull(index, "index");
        this.tokens = Objects.requireNonNull(tokens, "tokens");
        this.replayer = Objects.requireNonNull(replayer, "replayer");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /**
     * Rooms with default bounds, no auth and an index of their own, whose room replays fail (no
     * room log behind them): for tests and tools that build pipelines without a comet.
     */
    public static RoomJoins standalone(Replayer keyReplayer) {
        com.codahale.metrics.MetricRegistry metrics = new com.codahale.metrics.MetricRegistry();
        return new RoomJoins(
                RoomSettings.defaults(),
                new RoomIndex(RoomSettings.DEFAULT_MAX_MEMBERS_PER_ROOM, metrics),
                Optional.empty(),
                keyReplayer.withHistory(
                        (room, after, limit) ->
                                java.util.concurrent.CompletableFuture.failedFuture(
                                        new IllegalStateException("no room logs here"))),
                new RoomMetrics(metrics));
    }

    /** A parser of subscriptions and joins with these rooms' bounds. */
    public io.pushbase.comet.subscription.SubscriptionParser parser(int minHeartbeatSeconds) {
        return new io.pushbase.comet.subscription.SubscriptionParser(
                minHeartbeatSeconds,
                replayer::latestSince,
                settings.maxRoomsPerConnection(),
                settings.maxNameBytes());
    }

    public RoomSettings settings() {
        return settings;
    }

    public RoomIndex index() {
        return index;
    }

    public RoomMetrics metrics() {
        return metrics;
    }

    Replayer replayer() {
        return replayer;
    }

    /** The largest since a join accepts now (the replay's rule). */
    public long latestSince() {
        return replayer.latestSince();
    }

    /**
     * The rooms of an admitted connection: which it may join (its token's claim when auth is on),
     * none joined yet; every membership leaves its room when the connection closes.
     *
     * @param slowConsumers the transport's counter for connections closed for not keeping up
     */
    public ConnectionRooms open(
            ChannelSubscriber connection, Subscription subscription, Counter slowConsumers) {
        // The claim is read at the first join only: most connections join no room, and a token
        // check is an HMAC (or RSA) verification.
        Supplier<RoomAccess> access = RoomAccess::any;
        if (tokens.isPresent()) {
            TokenVerifier verifier = tokens.get();
            access = () -> RoomAccess.of(verifier.rooms(subscription.token(), subscription.key()));
        }
        return new ConnectionRooms(this, connection, access, slowConsumers);
    }
}
