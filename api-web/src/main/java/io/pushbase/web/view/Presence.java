package io.pushbase.web.view;

import com.codahale.metrics.MetricRegistry;
import io.pushbase.schema.comet.v1.CometPingReply;
import io.pushbase.web.comet.CometClient;
import io.pushbase.web.comet.CometDirectory;
import io.pushbase.web.comet.CometElections;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Presence (issue 14): how many client connections the cluster holds — of one key, or in all —
 * asked of <em>every</em> comet at once, each call bounded by one deadline, never of the key's ring
 * owner alone: during a ring move or a failover a key's connections can sit on two comets.
 *
 * <p><b>Which comets.</b> Every comet registered in discovery (the web node's memory view; a second
 * instance of a node name during a handover too) and every comet process in a leader election (read
 * from ZooKeeper on each call, {@link CometElections}: standbys, which answer 0, and a leader whose
 * registration is missing for a moment), one call per gRPC address. A key is asked with the comet's
 * {@code Online}, the totals with its {@code Ping} (the count the cluster view shows).
 *
 * <p><b>Failure.</b> A comet that does not answer within the deadline, refuses the connection or
 * answers an error is listed in {@code unanswered} with its {@link NoAnswer} and counted in meter
 * {@code web.presence.unanswered.<reason>} ({@code deadline}, {@code unavailable}, {@code error});
 * the others still answer, so a silent comet is never read as zero connections. The futures always
 * complete normally once every call has ended, within about the deadline; {@link #key} and {@link
 * #total} throw only when ZooKeeper cannot be read (the set of comets is then unknown).
 *
 * <p>Thread-safe; holds no state but its meters. Each comet's count is exact for that comet at the
 * moment it answers; the answer is not one atomic snapshot of the cluster (docs/WEB.md,
 * "Presence").
 */
public final class Presence {
    private final CometDirectory registered;
    private final CometElections elections;
    private final CometClient comets;
    private final long deadlineMillis;
    private final MetricRegistry metrics;

    /**
     * @param deadlineMillis the bound of each comet's call ({@code comets.presenceTimeout})
     * @param metrics where meters {@code web.presence.unanswered.<reason>} live
     */
    public Presence(
            CometDirectory registered,
            CometElections elections,
            CometClient comets,
            long deadlineMillis,
            MetricRegistry metrics) {
        this.registered = registered;
        this.elections = elections;
        this.comets = comets;
        this.deadlineMillis = deadlineMillis;
        this.metrics = metrics;
    }

    /** The connections of one key on one comet that answered. */
    public record KeyConnections(String nodeName, String id, int connections) {}

    /** A comet's connections as its ping reported them, with its role ({@code leader}, ...). */
    public record CometConnections(String nodeName, String id, String role, int connections) {}

    /**
     * A comet that did not answer: its node name, id ({@code host:grpcPort}), {@link
     * NoAnswer#reason()} and the gRPC status with its description.
     */
    public record Unanswered(String nodeName, String id, String reason, String problem) {}

    /**
     * The connections of {@code key}: {@code total} is the sum over the comets that answered (each
     * listed, 0 included), a lower bound when {@code allAnswered} is false.
     */
    public record KeyOnline(
            String key,
            long total,
            boolean allAnswered,
            List<KeyConnections> comets,
            List<Unanswered> unanswered,
            long deadlineMillis) {}

    /** (Pushbase) The members of one room on one comet that answered. */
    public record RoomMembers(String nodeName, String id, int members) {}

    /**
     * (Pushbase) The members of {@code room}: {@code total} is the sum over the comets that
     * answered (each listed, 0 included), a lower bound when {@code allAnswered} is false.
     */
    public record RoomOnline(
            String room,
            long total,
            boolean allAnswered,
            List<RoomMembers> comets,
            List<Unanswered> unanswered,
            long deadlineMillis) {}

    /** Every comet's connections; {@code total} as in {@link KeyOnline}. */
    public record TotalOnline(
            long total,
            boolean allAnswered,
            List<CometConnections> comets,
            List<Unanswered> unanswered,
            long deadlineMillis) {}

    /** Asks every comet for the connections of {@code key} (a valid key). */
    public CompletableFuture<KeyOnline> key(String key) throws Exception {
        return askEvery(address -> comets.online(address, key, deadlineMillis))
                .thenApply(
                        replies -> {
                            List<KeyConnections> answered = new ArrayList<>();
                            for (Reply<Integer> r : replies) {
                                if (r.value() != null) {
                                    answered.add(
                                            new KeyConnections(
                                                    r.comet().nodeName(),
                                                    r.comet().id(),
                                                    r.value()));
                                }
                            }
                            List<Unanswered> unanswered = unanswered(replies);
                            return new KeyOnline(
                                    key,
                                    answered.stream().mapToLong(KeyConnections::connections).sum(),
                                    unanswered.isEmpty(),
                                    answered,
                                    unanswered,
                                    deadlineMillis);
                        });
    }

    /**
     * (Pushbase, issue 14) Asks every comet for the members of {@code room} (a valid room name):
     * members of a room sit on every comet, so every comet is asked, as for a key.
     */
    public CompletableFuture<RoomOnline> room(String room) throws Exception {
        return askEvery(address -> comets.roomMembers(address, room, deadlineMillis))
                .thenApply(
                        replies -> {
                            List<RoomMembers> answered = new ArrayList<>();
                            for (Reply<Integer> r : replies) {
                                if (r.value() != null) {
                                    answered.add(
                                            new RoomMembers(
                                                    r.comet().nodeName(),
                                                    r.comet().id(),
                                                    r.value()));
                                }
                            }
                            List<Unanswered> unanswered = unanswered(replies);
                            return new RoomOnline(
                                    room,
                                    answered.stream().mapToLong(RoomMembers::members).sum(),
                                    unanswered.isEmpty(),
                                    answered,
                                    unanswered,
                                    deadlineMillis);
                        });
    }

    /** Asks every comet for its connection count. */
    public CompletableFuture<TotalOnline> total() throws Exception {
        return askEvery(address -> comets.ping(address, deadlineMillis))
                .thenApply(
                        replies -> {
                            List<CometConnections> answered = new ArrayList<>();
                            for (Reply<CometPingReply> r : replies) {
                                if (r.value() != null) {
                                    answered.add(
                                            new CometConnections(
                                                    r.comet().nodeName(),
                                                    r.comet().id(),
                                                    r.value().getRole(),
                                                    r.value().getConnections()));
                                }
                            }
                            List<Unanswered> unanswered = unanswered(replies);
                            return new TotalOnline(
                                    answered.stream()
                                            .mapToLong(CometConnections::connections)
                                            .sum(),
                                    unanswered.isEmpty(),
                                    answered,
                                    unanswered,
                                    deadlineMillis);
                        });
    }

    /** A comet to ask: {@code grpc} is its {@code CometService} address, null if it has none. */
    private record Comet(String nodeName, String id, String grpc) {}

    /** One comet's answer, or why it gave none. */
    private record Reply<T>(Comet comet, T value, NoAnswer failure) {}

    /** Calls {@code ask} on every comet at once; completes when every call has ended. */
    private <T> CompletableFuture<List<Reply<T>>> askEvery(
            Function<String, CompletableFuture<T>> ask) throws Exception {
        List<CompletableFuture<Reply<T>>> replies = new ArrayList<>();
        for (Comet comet : comets()) {
            CompletableFuture<T> answer =
                    comet.grpc() == null
                            ? CompletableFuture.failedFuture(CometClient.noGrpcAddress(comet.id()))
                            : ask.apply(comet.grpc());
            replies.add(
                    answer.handle(
                            (value, failure) ->
                                    failure == null
                                            ? new Reply<>(comet, value, null)
                                            : notAnswered(comet, failure)));
        }
        return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new))
                .thenApply(done -> replies.stream().map(CompletableFuture::join).toList());
    }

    private <T> Reply<T> notAnswered(Comet comet, Throwable failure) {
        NoAnswer why = NoAnswer.of(failure);
        metrics.meter("web.presence.unanswered." + why.reason()).mark();
        return new Reply<>(comet, null, why);
    }

    private static List<Unanswered> unanswered(List<? extends Reply<?>> replies) {
        return replies.stream()
                .filter(r -> r.failure() != null)
                .map(
                        r ->
                                new Unanswered(
                                        r.comet().nodeName(),
                                        r.comet().id(),
                                        r.failure().reason(),
                                        r.failure().problem()))
                .toList();
    }

    /**
     * Registered comets and election participants, one per gRPC address (a registration without one
     * by its instance id), sorted by node name, then id.
     */
    private List<Comet> comets() throws Exception {
        Map<String, Comet> byAddress = new LinkedHashMap<>();
        for (CometDirectory.CometNode node : registered.instances()) {
            String grpc = node.address("grpc").orElse(null);
            byAddress.putIfAbsent(
                    grpc != null ? grpc : node.instanceId(),
                    new Comet(node.nodeName(), node.instanceId(), grpc));
        }
        for (Map.Entry<String, List<String>> election : elections.read().entrySet()) {
            for (String id : election.getValue()) {
                byAddress.putIfAbsent(id, new Comet(election.getKey(), id, id));
            }
        }
        return byAddress.values().stream()
                .sorted(Comparator.comparing(Comet::nodeName).thenComparing(Comet::id))
                .toList();
    }
}
