package io.pushbase.comet.app;

import static io.pushbase.comet.app.CometApplicationIT.awaitAdmitted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.pushbase.cluster.ring.HashRing;
import io.pushbase.comet.testing.CometTestCluster;
import io.pushbase.comet.testing.CometTestCluster.Comet;
import io.pushbase.comet.testing.TcpClient;
import io.pushbase.store.StoredMessage;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A comet joining the ring, end to end (docs/PROTOCOL.md section 4, CLUSTER.md "Which keys a comet
 * serves"): real comets (the shipped application, see {@link CometTestCluster}), real ZooKeeper,
 * real TCP clients. Comet {@value #A} alone holds subscribers on {@value #KEY_COUNT} keys; then
 * {@value #B} (same weight) starts. The methods run in order as one scenario and prove that:
 *
 * <ul>
 *   <li>{@value #A} closes exactly the connections of the keys the new ring ({@link HashRing} over
 *       both names, computed independently here) places on {@value #B} - their clients read EOF,
 *       and {@code comet.migrate.closed} grows by exactly that many;
 *   <li>the connections of the keys that stayed are still open, answer heartbeats and receive
 *       pushes made through {@value #A};
 *   <li>each comet refuses the keys the ring places on the other: a subscription is answered {@code
 *       -n} and a push fails with {@code FAILED_PRECONDITION}, storing nothing;
 *   <li>the moved clients reconnect to {@value #B}, are admitted and receive its pushes, whose mids
 *       are larger than those stored through {@value #A} before the move.
 * </ul>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CometRingChangeIT {
    private static final String A = "comet-a";
    private static final String B = "comet-b";
    private static final int KEY_COUNT = 40;
    private static final long CLOSE_BOUND_MS = 30_000;
    private static final HashRing RING_AFTER = HashRing.of(Map.of(A, 1, B, 1));
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final List<String> moved = new ArrayList<>();
    private static final List<String> stayed = new ArrayList<>();

    /** The subscribers on comet-a, by key (moved keys' entries are closed by comet-a). */
    private static final Map<String, TcpClient> clients = new LinkedHashMap<>();

    /** The mid of the push each key received through comet-a before comet-b joined. */
    private static final Map<String, Long> midBeforeMove = new HashMap<>();

    private static CometTestCluster cluster;
    private static Comet cometA;
    private static Comet cometB;

    @BeforeAll
    static void subscribeEveryKeyToTheOnlyComet() throws Exception {
        for (String key : IntStream.range(0, KEY_COUNT).mapToObj(i -> "ring-" + i).toList()) {
            (RING_AFTER.nodeFor(key).orElseThrow().equals(B) ? moved : stayed).add(key);
        }
        assertThat(moved).as("keys the second comet takes").hasSizeGreaterThanOrEqualTo(3);
        assertThat(stayed).as("keys the first comet keeps").hasSizeGreaterThanOrEqualTo(3);

        cluster = new CometTestCluster(2);
        cometA = cluster.startComet(A);
        awaitAdmitted(cometA, "warm-up");
        for (String key : moved) {
            clients.put(key, subscribed(cometA, key));
        }
        for (String key : stayed) {
            clients.put(key, subscribed(cometA, key));
        }
        for (Map.Entry<String, TcpClient> c : clients.entrySet()) {
            midBeforeMove.put(c.getKey(), pushAndReceive(cometA, c.getKey(), c.getValue(), 0));
        }
    }

    @AfterAll
    static void stopCluster() throws Exception {
        try {
            for (TcpClient client : clients.values()) {
                client.close();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    @Test
    @Order(1)
    void aCometJoiningTheRingMakesTheOldOwnerCloseExactlyTheConnectionsOfTheKeysThatMoved()
            throws Exception {
        long closedBefore = migrateClosed(cometA);

        cometB = cluster.startComet(B);

        long deadline = System.currentTimeMillis() + CLOSE_BOUND_MS;
        for (String key : moved) {
            assertClosedBy(deadline, key, clients.get(key));
        }
        // EOF alone could also be the idle timeout (heartbeat + 5 s); the counter shows the ring
        // sweep closed them. It is bumped on the ring's thread right after the sweep: poll.
        long counted = migrateClosed(cometA);
        while (counted < closedBefore + moved.size() && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
            counted = migrateClosed(cometA);
        }
        assertThat(counted - closedBefore)
                .as("connections comet-a closed because their key moved")
                .isEqualTo(moved.size());
    }

    @Test
    @Order(2)
    void connectionsOfTheKeysThatStayedRemainOpenAndStillReceivePushesThroughTheOldOwner()
            throws Exception {
        for (String key : stayed) {
            TcpClient client = clients.get(key);
            client.socket().getOutputStream().write('h');
            client.socket().getOutputStream().flush();
            assertThat(client.readLine()).as("heartbeat answer on " + key).isEqualTo("+h\r\n");
            pushAndReceive(cometA, key, client, midBeforeMove.get(key));
        }
    }

    @Test
    @Order(3)
    void eachCometRefusesSubscriptionsAndPushesOfTheKeysTheRingPlacesOnTheOther() throws Exception {
        for (String key : moved) {
            assertRefused(cometA, key);
            assertThat(storedMids(key))
                    .as("nothing stored by the refused push")
                    .containsExactly(midBeforeMove.get(key));
        }
        for (String key : stayed) {
            assertRefused(cometB, key);
        }
    }

    @Test
    @Order(4)
    void movedClientsReconnectToTheNewOwnerAndReceiveItsPushesWithLargerMids() throws Exception {
        for (String key : moved) {
            try (TcpClient client = subscribed(cometB, key)) {
                long mid = pushAndReceive(cometB, key, client, midBeforeMove.get(key));
                assertThat(storedMids(key)).containsExactly(midBeforeMove.get(key), mid);
            }
        }
    }

    /** A client subscribed to {@code key} on {@code comet} (new message format), admitted. */
    private static TcpClient subscribed(Comet comet, String key) throws IOException {
        TcpClient client = TcpClient.subscribe(comet.tcp(), key, null, "1");
        try {
            assertThat(client.readLine()).as("reply to sub " + key).isEqualTo("+h\r\n");
            return client;
        } catch (IOException | RuntimeException | Error e) {
            client.close();
            throw e;
        }
    }

    /**
     * Pushes a message for {@code key} through {@code comet}, checks that {@code client} receives
     * exactly it and that its mid is larger than {@code previousMid}; returns the mid.
     */
    private static long pushAndReceive(Comet comet, String key, TcpClient client, long previousMid)
            throws IOException {
        String payload = "{\"key\":\"" + key + "\",\"after\":" + previousMid + "}";
        long mid = comet.push(key, payload, 600).getMid();
        assertThat(mid).as("mid of the push to " + key).isGreaterThan(previousMid);
        assertThat(client.readPush())
                .isEqualTo("{\"msg\":" + payload + ",\"mid\":" + mid + ",\"gid\":0}");
        return mid;
    }

    /** Reads until {@code client}'s connection ends; fails if it is still open at the deadline. */
    private static void assertClosedBy(long deadline, String key, TcpClient client)
            throws IOException {
        try {
            client.socket().setSoTimeout((int) Math.max(1, deadline - System.currentTimeMillis()));
            assertThat(client.readLine()).as("only EOF on the moved key " + key).isEmpty();
        } catch (SocketTimeoutException e) {
            throw new AssertionError(
                    "connection of moved key " + key + " still open after the bound", e);
        }
    }

    /** The comet answers a subscription of {@code key} with {@code -n} and refuses its push. */
    private static void assertRefused(Comet comet, String key) throws IOException {
        try (TcpClient refused = TcpClient.subscribe(comet.tcp(), key, null, "1")) {
            assertThat(refused.readLine()).as("reply to sub " + key).isEqualTo("-n\r\n");
            assertThat(refused.readLine()).as("closed after the refusal").isEmpty();
        }
        assertThatThrownBy(() -> comet.push(key, "{\"refused\":true}", 600))
                .as("push to " + key)
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e ->
                                assertThat(e.getStatus().getCode())
                                        .isEqualTo(Status.Code.FAILED_PRECONDITION));
    }

    private static List<Long> storedMids(String key) throws Exception {
        return cluster.store().fetch(key, 0, 0).get(5, TimeUnit.SECONDS).stream()
                .map(StoredMessage::mid)
                .toList();
    }

    /** Counter {@code comet.migrate.closed} from the comet's admin {@code /metrics}. */
    private static long migrateClosed(Comet comet) throws Exception {
        return JSON.readTree(comet.admin("/metrics"))
                .path("counters")
                .path("comet.migrate.closed")
                .path("count")
                .asLong(-1);
    }
}
