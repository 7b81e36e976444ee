package io.pushbase.web.resources;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.testing.junit5.ResourceExtension;
import io.pushbase.schema.client.MidClock;
import jakarta.ws.rs.client.Entity;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The external API's framing on one route: JSON, JSONP per dialect, GET only, callback rules. */
@ExtendWith(DropwizardExtensionsSupport.class)
class TimeResourceTest {
    private static final MetricRegistry METRICS = new MetricRegistry();
    private static final MidClock CLOCK =
            new MidClock(
                    Clock.fixed(Instant.ofEpochSecond(1_400_000_000, 123_456_700), ZoneOffset.UTC));

    static final ResourceExtension RESOURCE =
            ResourceExtension.builder()
                    .addResource(new TimeResource(CLOCK, METRICS))
                    .addProvider(new GetOnlyFilter())
                    .addProvider(new MethodNotAllowedMapper())
                    .build();

    @Test
    void theTimeIdIsInHundredNanosecondUnits() {
        Response r = RESOURCE.target("/1/time/get").request().get();
        assertThat(r.getHeaderString("Content-Type")).isEqualTo("application/json;charset=utf-8");
        assertThat(r.readEntity(String.class))
                .isEqualTo("{\"data\":{\"timeid\":14000000001234567},\"ret\":0}");
    }

    @Test
    void eachDialectTakesItsOwnCallbackParameter() {
        Response v1 = RESOURCE.target("/1/time/get").queryParam("cb", "$.cb_1").request().get();
        assertThat(v1.getHeaderString("Content-Type"))
                .isEqualTo("application/javascript;charset=utf-8");
        assertThat(v1.readEntity(String.class))
                .isEqualTo("$.cb_1({\"data\":{\"timeid\":14000000001234567},\"ret\":0})");
        assertThat(
                        RESOURCE.target("/time/get")
                                .queryParam("callback", "f")
                                .request()
                                .get(String.class))
                .isEqualTo("f({\"data\":{\"timeid\":14000000001234567},\"msg\":\"ok\",\"ret\":0})");
    }

    @Test
    void aCallbackThatIsNotAJavaScriptNameIsRefusedAsPlainJson() {
        Response r = RESOURCE.target("/1/time/get").queryParam("cb", "x</script>").request().get();
        assertThat(r.getHeaderString("Content-Type")).isEqualTo("application/json;charset=utf-8");
        assertThat(r.getHeaderString("X-Pushbase-Error")).contains("callback");
        assertThat(r.readEntity(String.class)).isEqualTo("{\"ret\":65534}");
        assertThat(METRICS.meter("web.route.time.get.v1.ret.65534").getCount()).isPositive();
    }

    @Test
    void everyMethodButGetIs405() {
        Response post = RESOURCE.target("/1/time/get").request().post(Entity.text(""));
        assertThat(post.getStatus()).isEqualTo(405);
        assertThat(post.readEntity(String.class)).isEqualTo("Method Not Allowed\n");
        assertThat(RESOURCE.target("/time/get").request().head().getStatus()).isEqualTo(405);
        assertThat(RESOURCE.target("/time/get").request().options().getStatus()).isEqualTo(405);
    }
}
