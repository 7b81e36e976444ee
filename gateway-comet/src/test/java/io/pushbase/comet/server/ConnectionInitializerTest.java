package io.pushbase.comet.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.pushbase.comet.connection.ConnectionMetrics;
import io.pushbase.comet.connection.ConnectionSettings;
import io.pushbase.comet.handler.TcpInitializer;
import io.pushbase.comet.testing.RecordingGate;
import io.pushbase.comet.testing.Replayers;
import io.pushbase.comet.testing.TestCertificate;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionInitializerTest {
    private final ChannelGroup group =
            new DefaultChannelGroup("test", GlobalEventExecutor.INSTANCE);
    private final TcpInitializer tcp =
            new TcpInitializer(
                    ConnectionSettings.defaults(),
                    RecordingGate.admitting(),
                    Replayers.withoutHistory(),
                    new ConnectionMetrics(new MetricRegistry(), "comet.tcp"));

    /** Handler names, without the embedded channel's own tail handler. */
    private static List<String> names(EmbeddedChannel channel) {
        return channel.pipeline().names().stream().filter(n -> !n.startsWith("Default")).toList();
    }

    @Test
    void withoutTlsThePipelineIsTheProtocolsOwn() {
        EmbeddedChannel channel =
                new EmbeddedChannel(new ConnectionInitializer(tcp, null, group, () -> false));

        assertThat(names(channel))
                .containsExactly(
                        TcpInitializer.ENCODER,
                        TcpInitializer.DECODER,
                        TcpInitializer.FIRST_REQUEST_TIMEOUT,
                        TcpInitializer.SUBSCRIBE,
                        TcpInitializer.ACKS,
                        TcpInitializer.ERRORS);
        assertThat(List.copyOf(group)).containsExactly(channel);
        channel.close();
        assertThat(group.size()).isZero();
    }

    @Test
    void tlsGoesFirstInFrontOfTheUnchangedProtocolPipeline(@TempDir Path dir) throws Exception {
        TlsConfiguration tls = new TlsConfiguration();
        TestCertificate certificate = TestCertificate.create(dir);
        tls.setEnabled(true);
        tls.setCertificateChain(certificate.chain().toString());
        tls.setPrivateKey(certificate.key().toString());
        SslContext context = tls.buildSslContext().orElseThrow();
        EmbeddedChannel channel =
                new EmbeddedChannel(new ConnectionInitializer(tcp, context, group, () -> false));

        assertThat(names(channel))
                .containsExactly(
                        ConnectionInitializer.TLS,
                        TcpInitializer.ENCODER,
                        TcpInitializer.DECODER,
                        TcpInitializer.FIRST_REQUEST_TIMEOUT,
                        TcpInitializer.SUBSCRIBE,
                        TcpInitializer.ACKS,
                        TcpInitializer.ERRORS);
        assertThat(channel.pipeline().first()).isInstanceOf(SslHandler.class);
        channel.close();
        channel.finishAndReleaseAll();
    }

    @Test
    void aConnectionAcceptedWhileTheServerStopsIsClosedAtOnce() {
        EmbeddedChannel channel =
                new EmbeddedChannel(new ConnectionInitializer(tcp, null, group, () -> true));

        assertThat(channel.isOpen()).isFalse();
        assertThat(group.size()).isZero();
    }
}
