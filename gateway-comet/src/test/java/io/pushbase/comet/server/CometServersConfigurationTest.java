package io.pushbase.comet.server;

import static io.pushbase.comet.server.ClientServerTest.WAIT;
import static io.pushbase.comet.server.ClientServerTest.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import io.dropwizard.configuration.ConfigurationValidationException;
import io.dropwizard.configuration.FileConfigurationSourceProvider;
import io.dropwizard.configuration.YamlConfigurationFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.BaseValidator;
import io.pushbase.comet.ack.Acks;
import io.pushbase.comet.channel.KeyChannels;
import io.pushbase.comet.connection.ConnectionSettings;
import io.pushbase.comet.replay.DeviceCursors;
import io.pushbase.comet.replay.Replayer;
import io.pushbase.comet.testing.KeyChannelsGate;
import io.pushbase.comet.testing.ScriptedHistory;
import io.pushbase.comet.testing.TextWebSocketClient;
import io.pushbase.comet.testing.Wire;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CometServersConfigurationTest {
    private final YamlConfigurationFactory<CometServersConfiguration> factory =
            new YamlConfigurationFactory<>(
                    CometServersConfiguration.class,
                    BaseValidator.newValidator(),
                    Jackson.newObjectMapper(),
                    "dw");

    @TempDir Path dir;

    private CometServersConfiguration parse(String yaml) throws Exception {
        Path file = Files.writeString(dir.resolve("comet.yml"), yaml);
        return factory.build(new FileConfigurationSourceProvider(), file.toString());
    }

    @Test
    void theDefaultsAreGopushClustersPortsAndLimits() {
        CometServersConfiguration config = new CometServersConfiguration();

        assertThat(BaseValidator.newValidator().validate(config)).isEmpty();
        assertThat(config.getTcp().getBindHost()).isEqualTo("0.0.0.0");
        assertThat(config.getTcp().getPort()).isEqualTo(6969);
        assertThat(config.getWs().getBindHost()).isEqualTo("0.0.0.0");
        assertThat(config.getWs().getPort()).isEqualTo(6968);
        assertThat(config.getWs().getPath()).isEqualTo("/sub");
        assertThat(config.getWs().getAllowedOrigins()).isEmpty();
        assertThat(config.getTcp().getTls().isEnabled()).isFalse();
        assertThat(config.getWs().getTls().isEnabled()).isFalse();
        assertThat(config.getWorkerThreads()).isZero();
        assertThat(config.isNativeTransport()).isTrue();
        assertThat(config.getMaxSubscribersPerKey()).isEqualTo(64);
        assertThat(config.buildConnectionSettings()).isEqualTo(ConnectionSettings.defaults());
        ConnectionSettings settings = config.buildConnectionSettings();
        assertThat(settings.firstRequestTimeout()).isEqualTo(java.time.Duration.ofSeconds(5));
        assertThat(settings.minHeartbeatSeconds()).isEqualTo(30);
        assertThat(settings.maxBulkLength()).isEqualTo(2048);
        assertThat(settings.maxPendingMessages()).isEqualTo(120);
        assertThat(settings.ssePath()).isEqualTo("/sse");
        assertThat(settings.sseHeartbeat()).isEqualTo(java.time.Duration.ofSeconds(25));
        assertThat(config.getReplay().getPageSize()).isEqualTo(100);
        assertThat(config.getReplay().getMaxConcurrentFetches()).isEqualTo(32);
        assertThat(config.getReplay().getMaxSinceAhead()).isEqualTo(Duration.minutes(5));
    }

    @Test
    void theReplayBlockBuildsTheReplayer() throws Exception {
        CometServersConfiguration config =
                parse(
                        """
                        replay:
                          pageSize: 20
                          maxConcurrentFetches: 4
                          maxSinceAhead: 30s
                        """);
        MetricRegistry metrics = new MetricRegistry();

        Replayer replayer =
                config.buildReplayer(new ScriptedHistory(), DeviceCursors.NONE, metrics);

        assertThat(replayer.pageSize()).isEqualTo(20);
        assertThat(replayer.slots().max()).isEqualTo(4);
        long now = io.pushbase.schema.client.MidClock.system().now();
        // 30 s in 100 ns units, plus the time between the two clock readings.
        assertThat(replayer.latestSince() - now).isBetween(300_000_000L, 310_000_000L);
        assertThat(metrics.getGauges())
                .containsKeys(
                        "comet.replay.active", "comet.replay.fetching", "comet.replay.waiting");
    }

    @Test
    void replayBoundsBelowOneAreRefused() {
        assertThatThrownBy(() -> parse("replay: {pageSize: 0, maxConcurrentFetches: 0}\n"))
                .isInstanceOf(ConfigurationValidationException.class)
                .hasMessageContaining("replay.pageSize")
                .hasMessageContaining("replay.maxConcurrentFetches");
    }

    @Test
    void yamlOverridesOnlyWhatItNamesAndBuildsTheSettingsFromIt() throws Exception {
        CometServersConfiguration config =
                parse(
                        """
                        firstRequestTimeout: 2s
                        minHeartbeatSeconds: 10
                        maxPendingMessages: 50
                        maxSubscribersPerKey: 8
                        ws:
                          port: 7000
                          path: /push
                          allowedOrigins: [https://app.example.com]
                          ssePath: /events
                          sseHeartbeat: 10s
                        """);

        assertThat(config.getTcp().getPort()).isEqualTo(6969);
        assertThat(config.getWs().getPort()).isEqualTo(7000);
        assertThat(config.getFirstRequestTimeout()).isEqualTo(Duration.seconds(2));
        ConnectionSettings settings = config.buildConnectionSettings();
        assertThat(settings.firstRequestTimeout()).isEqualTo(java.time.Duration.ofSeconds(2));
        assertThat(settings.minHeartbeatSeconds()).isEqualTo(10);
        assertThat(settings.maxPendingMessages()).isEqualTo(50);
        assertThat(settings.webSocketPath()).isEqualTo("/push");
        assertThat(settings.allowedOrigins()).isEqualTo(Set.of("https://app.example.com"));
        assertThat(settings.ssePath()).isEqualTo("/events");
        assertThat(settings.sseHeartbeat()).isEqualTo(java.time.Duration.ofSeconds(10));
        assertThat(config.buildKeyChannels(new MetricRegistry())).isNotNull();
    }

    @Test
    void anSsePathEqualToTheWebSocketPathOrAHeartbeatBelowASecondIsRefused() {
        assertThatThrownBy(() -> parse("ws: {path: /sub, ssePath: /sub}"))
                .hasMessageContaining("ssePath must differ from path");
        assertThatThrownBy(() -> parse("ws: {sseHeartbeat: 500ms}"))
                .hasMessageContaining("sseHeartbeat");
    }

    @Test
    void invalidValuesAreRefusedAtStartNamingTheSetting() {
        assertThatThrownBy(
                        () ->
                                parse(
                                        """
                                        minHeartbeatSeconds: 0
                                        maxPendingMessages: 0
                                        firstRequestTimeout: 1ms
                                        tcp:
                                          port: 70000
                                        ws:
                                          path: sub
                                          tls:
                                            enabled: true
                                        """))
                .isInstanceOf(ConfigurationValidationException.class)
                .hasMessageContaining("minHeartbeatSeconds")
                .hasMessageContaining("maxPendingMessages")
                .hasMessageContaining("firstRequestTimeout")
                .hasMessageContaining("tcp.port")
                .hasMessageContaining("ws.path")
                .hasMessageContaining("certificateChain and privateKey must name readable files");
    }

    @Test
    void bothListenersOnOnePortAreRefused() {
        assertThatThrownBy(() -> parse("tcp: {port: 7000}\nws: {port: 7000}\n"))
                .isInstanceOf(ConfigurationValidationException.class)
                .hasMessageContaining("tcp.port and ws.port must differ");
    }

    @Test
    void theServersItBuildsServeBothProtocols() throws Exception {
        CometServersConfiguration config =
                parse(
                        """
                        workerThreads: 1
                        tcp: {bindHost: 127.0.0.1, port: 0}
                        ws: {bindHost: 127.0.0.1, port: 0}
                        """);
        MetricRegistry metrics = new MetricRegistry();
        KeyChannels channels = config.buildKeyChannels(metrics);
        ConnectionSettings settings = config.buildConnectionSettings();
        Replayer replayer =
                config.buildReplayer(new ScriptedHistory(), DeviceCursors.NONE, metrics);
        EventLoops loops = config.buildEventLoops();
        assertThat(loops.transport()).isEqualTo(Transport.preferred());
        loops.start();
        ClientServer tcp =
                config.buildTcpServer(
                        loops,
                        settings,
                        new KeyChannelsGate(channels),
                        replayer,
                        metrics,
                        Acks.off());
        ClientServer ws =
                config.buildWebSocketServer(
                        loops,
                        settings,
                        new KeyChannelsGate(channels),
                        replayer,
                        metrics,
                        Acks.off());
        try {
            tcp.start();
            ws.start();
            try (Socket socket = new Socket("127.0.0.1", tcp.port());
                    TextWebSocketClient client =
                            TextWebSocketClient.connect(
                                    URI.create(
                                            "ws://127.0.0.1:"
                                                    + ws.port()
                                                    + "/sub?key=b&heartbeat=30"),
                                    null,
                                    WAIT)) {
                socket.setSoTimeout((int) WAIT.toMillis());
                socket.getOutputStream()
                        .write(Wire.request("sub", "a", "30").getBytes(StandardCharsets.UTF_8));
                assertThat(read(socket.getInputStream(), 4)).isEqualTo("+h\r\n");
                assertThat(client.nextText(WAIT)).isEqualTo("+h\r\n");
                assertThat(channels.connectionCount()).isEqualTo(2);
                assertThat(metrics.counter("comet.tcp.subscribed").getCount()).isEqualTo(1);
                assertThat(metrics.counter("comet.ws.subscribed").getCount()).isEqualTo(1);
            }
        } finally {
            ws.stop();
            tcp.stop();
            loops.stop();
        }
    }
}
