package io.pushbase.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.pushbase.e2e.DeliveryChecker.Result;
import io.pushbase.e2e.DeliveryChecker.Transport;
import io.pushbase.e2e.E2eCluster.Node;
import io.pushbase.launcher.nodes.Role;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resume on subscribe (docs/REPLAY.md) under crashes, on real processes of the built distribution
 * ({@link E2eCluster#startPaired}: two message nodes, a leading and a standby comet of node name
 * {@code comet-1}, one web node). Each scenario runs a {@link DeliveryChecker} whose clients all
 * resume ({@link Transport#TCP_RESUME}: every subscribe carries {@code since}, the largest mid the
 * client has, and no client pulls), pushes continuously and kills one process with SIGKILL: a
 * message node while every client is resuming, then the leading comet (its clients look the key up
 * again and resume on the new leader). A scenario passes when every acknowledged push was received
 * by its key's client exactly once per mid, in ascending mid order, every mid stored for the key
 * was received, every received message is stored under the mid it was received with, and every
 * resume was answered {@code +r complete} (the per-key cap, {@value #CAP}, is far above what a
 * scenario pushes to a key, so no trim can explain a truncation).
 *
 * <p>A payload stored under two mids fails a scenario: the web node chooses each push's claim and
 * the fallback appends with it (docs/MIDS.md, idempotent pushes), so a push a dead comet already
 * stored is found, not stored again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ResumeFaultsIT {
    private static final int KEYS = 20;
    private static final double PUSHES_PER_SECOND = 40;
    private static final Duration SETTLE = Duration.ofSeconds(15);
    private static final Duration WAIT = Duration.ofSeconds(90);

    /** The message nodes' per-key cap: a scenario pushes a few hundred messages per key at most. */
    private static final int CAP = 10_000;

    /** Kept when a test fails: every node's log is under {@code logs/}. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path temp;

    private E2eCluster cluster;
    private E2eCluster.Paired paired;

    @BeforeAll
    void startCluster() throws Exception {
        cluster = E2eCluster.start(temp);
        paired = cluster.startPaired(Map.of("PUSHBASE_STORE_MAX_PER_KEY", Integer.toString(CAP)));
    }

    @AfterAll
    void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private DeliveryChecker checker(String name) throws InterruptedException {
        return DeliveryChecker.started(
                name, KEYS, paired.web(), PUSHES_PER_SECOND, List.of(Transport.TCP_RESUME), WAIT);
    }

    @Test
    @Order(1)
    void aMessageNodeKilledHardWhileEveryClientResumes() throws Exception {
        List<Node> messages = cluster.running(Role.MESSAGE);
        assertThat(messages).hasSize(2);
        try (DeliveryChecker checker = checker("resume-msgkill")) {
            checker.awaitAcknowledged(100, WAIT);
            // Every client away for 2 s (about four pushes per key), then resuming while the
            // message node dies: replay Fetch calls and appends reach it as it goes.
            checker.disconnectAll(Duration.ofSeconds(2));
            Thread.sleep(1_900);
            cluster.kill(messages.get(0));
            checker.mark("killed " + messages.get(0).name() + " (SIGKILL)");
            checker.await("every key subscribed again", WAIT, checker::allSubscribed);
            checker.awaitAcknowledged(100, WAIT);
            // And resumes served by the one node left.
            checker.disconnectAll(Duration.ofSeconds(1));
            Thread.sleep(1_000);
            checker.await("every key subscribed again", WAIT, checker::allSubscribed);
            checker.awaitAcknowledged(100, WAIT);
            assertResumedExactlyOnce(checker.finish(SETTLE), checker);
        }
    }

    @Test
    @Order(2)
    void theLeadingCometKilledHardWhileItsClientsResumeOnTheNewLeader() throws Exception {
        Node leader = paired.leader();
        Node successor = paired.standby();
        assertThat(cluster.cometRole(leader)).isEqualTo("LEADER");
        try (DeliveryChecker checker = checker("resume-cometkill")) {
            checker.awaitAcknowledged(100, WAIT);
            cluster.kill(leader);
            checker.mark("killed " + leader.name() + " (SIGKILL), the leader of comet-1");
            checker.mark(
                    successor.name()
                            + " leads, "
                            + cluster.awaitTakeover(successor, ClusterFaultsIT.TAKEOVER).toMillis()
                            + " ms later");
            checker.awaitAllSubscribedTo(successor, WAIT);
            checker.awaitAcknowledged(200, WAIT);
            Result result = checker.finish(SETTLE);
            assertResumedExactlyOnce(result, checker);
            for (String key : checker.keys()) {
                assertThat(checker.disconnects(key)).as(key + " lost its comet").isPositive();
            }
        }
    }

    /**
     * The checker's findings (with {@link Transport#TCP_RESUME}'s stricter rules) are empty, enough
     * pushes were acknowledged, every client resumed at least twice (answered complete: any other
     * answer is among the violations), and no payload was received under two mids.
     */
    private static void assertResumedExactlyOnce(Result result, DeliveryChecker checker) {
        assertThat(result.violations()).as(result.report()).isEmpty();
        assertThat(result.acknowledged()).as(result.report()).isGreaterThan(300);
        assertThat(checker.resumesAnswered("+r complete"))
                .as("resumes answered complete\n" + result.report())
                .isGreaterThanOrEqualTo(2L * KEYS);
        assertThat(result.duplicatePayloads())
                .as("payloads received under a second mid\n" + result.report())
                .isZero();
    }
}
