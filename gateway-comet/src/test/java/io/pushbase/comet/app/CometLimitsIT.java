package io.pushbase.comet.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.ConfigOverride;
import io.pushbase.cluster.token.TokenIssuer;
import io.pushbase.comet.testing.CometTestCluster;
import io.pushbase.comet.testing.CometTestCluster.Comet;
import io.pushbase.comet.testing.TcpClient;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The comet's bounds and auth end to end, with auth on: a token is required and checked, a key
 * takes at most {@code maxSubscribersPerKey} connections, and a client that stops reading is
 * disconnected and counted once its outbound queue is full.
 */
class CometLimitsIT {
    private static final String SECRET = "a shared secret for the comet limits IT!";
    private static CometTestCluster cluster;
    private static Comet comet;
    private static final TokenIssuer issuer =
            new TokenIssuer(SECRET.getBytes(StandardCharsets.UTF_8), Clock.systemUTC());

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new CometTestCluster(1);
        comet =
                cluster.startComet(
                        "comet-limits",
                        ConfigOverride.config("auth.enabled", "true"),
                        ConfigOverride.config("auth.secret", SECRET),
                        ConfigOverride.config("clients.maxSubscribersPerKey", "2"),
                        ConfigOverride.config("clients.maxPendingMessages", "8"));
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            try (TcpClient c =
                    TcpClient.subscribe(comet.tcp(), "warm-up", token("warm-up"), null)) {
                if (c.readLine().equals("+h\r\n")) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("comet never admitted a subscription");
    }

    @AfterAll
    static void stopCluster() throws Exception {
        cluster.close();
    }

    private static String token(String key) {
        return issuer.issue(key, Duration.ofMinutes(5));
    }

    @Test
    void withAuthOnOnlyAValidTokenForTheKeyIsAdmitted() throws Exception {
        try (TcpClient none = TcpClient.subscribe(comet.tcp(), "alice", null, null)) {
            assertThat(none.readLine()).isEqualTo("-a\r\n");
            assertThat(none.readLine()).as("closed after the error reply").isEmpty();
        }
        try (TcpClient other = TcpClient.subscribe(comet.tcp(), "alice", token("bob"), null)) {
            assertThat(other.readLine()).isEqualTo("-a\r\n");
        }
        try (TcpClient ok = TcpClient.subscribe(comet.tcp(), "alice", token("alice"), "1")) {
            assertThat(ok.readLine()).isEqualTo("+h\r\n");
            long mid = comet.push("alice", "{\"hi\":\"alice\"}", 0).getMid();
            assertThat(ok.readPush())
                    .isEqualTo("{\"msg\":{\"hi\":\"alice\"},\"mid\":" + mid + ",\"gid\":0}");
        }
    }

    @Test
    void aKeyTakesAtMostItsLimitOfConnections() throws Exception {
        try (TcpClient first = TcpClient.subscribe(comet.tcp(), "busy", token("busy"), null);
                TcpClient second = TcpClient.subscribe(comet.tcp(), "busy", token("busy"), null)) {
            assertThat(first.readLine()).isEqualTo("+h\r\n");
            assertThat(second.readLine()).isEqualTo("+h\r\n");
            try (TcpClient third = TcpClient.subscribe(comet.tcp(), "busy", token("busy"), null)) {
                assertThat(third.readLine()).isEqualTo("-c\r\n");
            }
        }
    }

    @Test
    void aClientThatStopsReadingIsDisconnectedAndCounted() throws Exception {
        String big = "{\"pad\":\"" + "x".repeat(60_000) + "\"}";
        try (TcpClient stalled = TcpClient.subscribe(comet.tcp(), "slow", token("slow"), "1")) {
            assertThat(stalled.readLine()).isEqualTo("+h\r\n");
            // It never reads again: the kernel's socket buffers fill, then the comet's bounded
            // queue (8 here), and the next message closes the connection.
            int delivered = 0;
            for (int i = 0; i < 400; i++) {
                delivered += comet.push("slow", big, 0).getDelivered();
                if (slowConsumers() > 0) {
                    break;
                }
            }
            assertThat(slowConsumers()).as("slow consumers counted").isEqualTo(1);
            assertThat(delivered).isLessThan(400);
            // The connection is gone: draining what was buffered ends in EOF or a reset.
            boolean closed = false;
            try {
                byte[] sink = new byte[64 * 1024];
                while (stalled.socket().getInputStream().read(sink) != -1) {
                    // drain
                }
                closed = true;
            } catch (SocketException reset) {
                closed = true;
            }
            assertThat(closed).isTrue();
        }
    }

    private static long slowConsumers() throws Exception {
        String body = comet.admin("/stat?type=server");
        return Long.parseLong(body.replaceAll(".*\"slowConsumers\":(\\d+).*", "$1"));
    }
}
