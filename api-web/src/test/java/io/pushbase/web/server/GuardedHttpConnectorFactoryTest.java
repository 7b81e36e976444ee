package io.pushbase.web.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import io.dropwizard.jersey.validation.Validators;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.Test;

/**
 * How listeners are named in their metrics: Dropwizard gives every admin listener the one name
 * {@code admin}, so a second capped admin listener (web.yml's {@code ops}) needs a name of its own,
 * and without one the node refuses to start with a message that says so. Builds real Jetty
 * connectors (not started: nothing binds).
 */
class GuardedHttpConnectorFactoryTest {
    private final Server server = new Server();
    private final QueuedThreadPool threads = new QueuedThreadPool();
    private final MetricRegistry metrics = new MetricRegistry();

    private static GuardedHttpConnectorFactory capped(String name) {
        GuardedHttpConnectorFactory factory = new GuardedHttpConnectorFactory();
        factory.setPort(0);
        factory.setMaxConnections(8);
        factory.setName(name);
        return factory;
    }

    @Test
    void aNamedListenerCountsUnderItsOwnNameBesideDropwizards() {
        capped(null).build(server, metrics, "admin", threads);
        capped("ops").build(server, metrics, "admin", threads);

        assertThat(metrics.getGauges())
                .containsKeys("web.http.admin.connections", "web.http.ops.connections");
        assertThat(metrics.getMeters())
                .containsKeys("web.http.ops.limitReached", "web.http.ops.headerTimeouts");
    }

    @Test
    void twoCappedListenersOfOneNameStopTheNodeSayingWhy() {
        capped(null).build(server, metrics, "admin", threads);

        assertThatThrownBy(() -> capped(null).build(server, metrics, "admin", threads))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("two capped listeners are named 'admin'")
                .hasMessageContaining("name:");
    }

    @Test
    void aNameThatIsNoMetricsSegmentIsRefusedByTheConfigurationCheck() {
        assertThat(Validators.newValidator().validate(capped("ops")))
                .as("a plain name passes")
                .isEmpty();
        assertThat(Validators.newValidator().validate(capped("ops.admin")))
                .extracting(v -> v.getPropertyPath().toString())
                .containsExactly("name");
    }
}
