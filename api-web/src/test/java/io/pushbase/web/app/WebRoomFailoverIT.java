package io.pushbase.web.app;

import static io.pushbase.web.testing.WebTestCluster.awaitRing;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.pushbase.cluster.ring.HashRing;
import io.pushbase.comet.testing.CometTestCluster.Comet;
import io.pushbase.comet.testing.TcpClient;
import io.pushbase.comet.testing.Wire;
import io.pushbase.schema.comet.v1.CometPingRequest;
import io.pushbase.web.testing.Rings;
import io.pushbase.web.testing.WebTestCluster;
import io.pushbase.web.testing.WebTestCluster.Web;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * (Pushbase, issue 14) A room's mids across a comet failover: the room's owner on the ring is a
 * leading comet with a standby of the same node name; members sit on the two other comets. The
 * leader stops, the standby takes over (the ring is unchanged: same node name), and the next room
 * pushes — sequenced now by the new leader — take larger mids than every push before, reach both
 * members in mid order after the earlier ones, and the room's log holds each push once, in order.
 * (The ring change, where another comet becomes the owner, is {@code WebRoomsIT}'s last test.)
 */
class WebRoomFailoverIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HashRing THREE = Rings.of("comet-1", "comet-2", "comet-3");

    @Test
    void afterTheOwnersStandbyTakesOverRoomMidsKeepIncreasingAndReachEveryMember()
            throws Exception {
        try (WebTestCluster cluster = new WebTestCluster(1)) {
            Comet comet1 = cluster.comets().startComet("comet-1");
            Comet comet2 = cluster.comets().startComet("comet-2");
            Comet leader = cluster.comets().startComet("comet-3");
            Web web = cluster.startWeb();
            awaitRing(web, Map.of("comet-1", comet1, "comet-2", comet2, "comet-3", leader));
            Comet standby = cluster.comets().startComet("comet-3");
            assertThat(role(standby)).isEqualTo("standby");

            String room = Rings.nameOn("hall", "comet-3", THREE);
            try (TcpClient one = join(comet1, Rings.nameOn("f1", "comet-1", THREE), room);
                    TcpClient two = join(comet2, Rings.nameOn("f2", "comet-2", THREE), room)) {
                List<Long> mids = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    mids.add(pushRoom(web, room, "{\"before\":" + i + "}"));
                }

                cluster.comets().stop(leader);
                awaitRing(web, Map.of("comet-1", comet1, "comet-2", comet2, "comet-3", standby));
                assertThat(role(standby)).isEqualTo("leader");
                for (int i = 0; i < 3; i++) {
                    mids.add(pushRoom(web, room, "{\"after\":" + i + "}"));
                }

                assertThat(mids).isSorted().doesNotHaveDuplicates();
                List<String> expected = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    String json = i < 3 ? "{\"before\":" + i + "}" : "{\"after\":" + (i - 3) + "}";
                    expected.add(
                            "{\"msg\":"
                                    + json
                                    + ",\"mid\":\""
                                    + mids.get(i)
                                    + "\",\"gid\":0,\"room\":\""
                                    + room
                                    + "\"}");
                }
                for (TcpClient member : List.of(one, two)) {
                    List<String> received = new ArrayList<>();
                    for (int i = 0; i < 6; i++) {
                        received.add(member.readPush());
                    }
                    assertThat(received).isEqualTo(expected);
                }
                assertThat(web.get("/1/room/msg/get?room=" + room + "&m=0&ver=pushbase.1").body())
                        .isEqualTo(
                                "{\"data\":{\"msgs\":["
                                        + String.join(",", expected)
                                        + "]},\"ret\":0}");
            }
        }
    }

    private static String role(Comet comet) {
        ManagedChannel channel = comet.channel();
        try {
            return comet.stub(channel).ping(CometPingRequest.getDefaultInstance()).getRole();
        } finally {
            channel.shutdownNow();
        }
    }

    /** A TCP subscriber of {@code key} that joined {@code room} at subscribe. */
    private static TcpClient join(Comet comet, String key, String room) throws Exception {
        TcpClient client =
                TcpClient.send(
                        comet.tcp(), Wire.request("sub", key, "30", "", "pushbase.1", "", room));
        assertThat(client.readLine()).isEqualTo("+h\r\n");
        assertThat(client.readLine()).isEqualTo("+j " + room + "\r\n");
        return client;
    }

    private static long pushRoom(Web web, String room, String json) throws Exception {
        HttpResponse<String> answer =
                web.post("/1/admin/push/room?room=" + room + "&expire=600", json);
        JsonNode body = JSON.readTree(answer.body());
        assertThat(body.get("ret").asInt()).as(answer.body()).isZero();
        return Long.parseLong(body.get("data").get("mid").asText());
    }
}
