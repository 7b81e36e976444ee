package io.pushbase.comet.stat;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pushbase.comet.channel.KeyChannels;
import io.pushbase.comet.connection.ConnectionMetrics;
import io.pushbase.comet.push.PushPipeline;
import io.pushbase.comet.server.ClientProtocol;
import io.pushbase.comet.subscription.ChannelSubscriber;
import io.pushbase.comet.subscription.Subscription;
import io.pushbase.schema.client.MidClock;
import io.pushbase.schema.message.v1.AppendReply;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code /stat} in Jetty 12's ee10 servlet container (what Dropwizard 5's admin port runs), fed by
 * the metrics the comet's real components register: {@link KeyChannels}, {@link PushPipeline},
 * {@link ConnectionMetrics}.
 */
class StatServletTest {
    private static final Instant STARTED = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final MetricRegistry metrics = new MetricRegistry();
    private final KeyChannels channels = new KeyChannels(64, metrics);
    private final List<EmbeddedChannel> connections = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();
    private final ObjectMapper json = new ObjectMapper();
    private Server jetty;
    private int port;

    @BeforeEach
    void startJetty() throws Exception {
        StatServlet servlet =
                new StatServlet(
                        "comet-1",
                        channels,
                        metrics,
                        STARTED,
                        Clock.fixed(STARTED.plusSeconds(42), ZoneOffset.UTC));
        jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler();
        context.addServlet(new ServletHolder(servlet), "/stat");
        jetty.setHandler(context);
        jetty.start();
        port = connector.getLocalPort();
    }

    @AfterEach
    void stopJetty() throws Exception {
        jetty.stop();
        connections.forEach(EmbeddedChannel::close);
    }

    private void subscribe(String key) {
        EmbeddedChannel connection = new EmbeddedChannel();
        connections.add(connection);
        channels.add(
                new ChannelSubscriber(
                        connection,
                        new Subscription(key, 30, "", ""),
                        120,
                        metrics.counter("unused")));
    }

    private HttpResponse<String> get(String query) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/stat" + query))
                        .timeout(WAIT)
                        .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** The answer's {@code data}, after checking it is a 200 JSON {@code ret 0}. */
    private JsonNode data(String query) throws Exception {
        HttpResponse<String> response = get(query);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        JsonNode body = json.readTree(response.body());
        assertThat(body.get("ret").asInt()).isZero();
        return body.get("data");
    }

    @Test
    void serverStatsGiveNodeUptimeConnectionsChannelsPushesAndSlowConsumers() throws Exception {
        subscribe("k");
        subscribe("k");
        subscribe("other");
        metrics.register(ClientProtocol.TCP.connectionsGauge(), (Gauge<Integer>) () -> 3);
        metrics.register(ClientProtocol.WEBSOCKET.connectionsGauge(), (Gauge<Integer>) () -> 1);
        PushPipeline pushes =
                new PushPipeline(
                        channels,
                        request ->
                                request.getKey().equals("down")
                                        ? CompletableFuture.failedFuture(
                                                new IllegalStateException("no message node"))
                                        : CompletableFuture.completedFuture(
                                                AppendReply.newBuilder().setAppended(true).build()),
                        MidClock.system(),
                        key -> !key.equals("elsewhere"),
                        64 * 1024,
                        10,
                        100,
                        metrics);
        byte[] payload = "{\"test\":1}".getBytes(StandardCharsets.UTF_8);
        pushes.push("k", payload, 0).get();
        pushes.push("down", payload, 0).exceptionally(e -> null).get();
        pushes.push("elsewhere", payload, 0).exceptionally(e -> null).get();
        new ConnectionMetrics(metrics, "comet.tcp").slowConsumers().inc(2);
        new ConnectionMetrics(metrics, "comet.ws").slowConsumers().inc();

        JsonNode data = data("?type=server");

        assertThat(data.get("node").asText()).isEqualTo("comet-1");
        assertThat(data.get("uptimeSeconds").asLong()).isEqualTo(42);
        assertThat(data.get("connections").toString()).isEqualTo("{\"tcp\":3,\"ws\":1}");
        assertThat(data.get("subscribed").asInt()).isEqualTo(3);
        assertThat(data.get("channels").asInt()).isEqualTo(2);
        assertThat(data.get("pushes").toString())
                .isEqualTo("{\"acknowledged\":1,\"failed\":1,\"rejected\":1}");
        assertThat(data.get("messages").toString())
                .isEqualTo("{\"delivered\":2,\"undelivered\":0}");
        assertThat(data.get("slowConsumers").asLong()).isEqualTo(3);
    }

    @Test
    void aFreshCometReportsZerosNotErrors() throws Exception {
        JsonNode data = data("?type=server");

        assertThat(data.get("connections").toString()).isEqualTo("{\"tcp\":0,\"ws\":0}");
        assertThat(data.get("pushes").get("acknowledged").asLong()).isZero();
        assertThat(data.get("slowConsumers").asLong()).isZero();
    }

    @Test
    void connectionStatsCountOpenConnectionsByProtocolAndTheSubscribedOnes() throws Exception {
        subscribe("k");
        metrics.register(ClientProtocol.TCP.connectionsGauge(), (Gauge<Integer>) () -> 2);

        JsonNode data = data("?type=connection");

        assertThat(data.toString())
                .isEqualTo("{\"connections\":{\"tcp\":2,\"ws\":0},\"subscribed\":1}");
    }

    @Test
    void channelStatsCountOneKeysConnectionsAndZeroForAnUnknownKey() throws Exception {
        subscribe("Terry-Mao");
        subscribe("Terry-Mao");

        assertThat(data("?type=channel&key=Terry-Mao").toString())
                .isEqualTo("{\"key\":\"Terry-Mao\",\"connections\":2}");
        assertThat(data("?type=channel&key=nobody").toString())
                .isEqualTo("{\"key\":\"nobody\",\"connections\":0}");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "''                       | missing parameter type",
                "?type=                   | missing parameter type",
                "?type=memory             | unknown type 'memory'",
                "?type=channel            | type=channel needs parameter key",
                "?type=channel&key=       | type=channel needs parameter key",
            })
    void aMissingOrUnknownTypeIsA400NamingTheProblem(String query, String problem)
            throws Exception {
        HttpResponse<String> response = get(query);

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode body = json.readTree(response.body());
        assertThat(body.get("ret").asInt()).isEqualTo(65534);
        assertThat(body.get("msg").asText()).contains(problem);
        assertThat(body.has("data")).isFalse();
    }

    @Test
    void onlyGetIsAllowed() throws Exception {
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(
                                        URI.create(
                                                "http://127.0.0.1:" + port + "/stat?type=server"))
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(405);
    }
}
