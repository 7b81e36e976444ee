package io.pushbase.web.resources;

import com.codahale.metrics.MetricRegistry;
import io.pushbase.schema.client.MidClock;
import io.pushbase.web.reply.Answer;
import io.pushbase.web.reply.Data;
import io.pushbase.web.reply.Dialect;
import io.pushbase.web.reply.Route;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

/**
 * The time id (docs/PROTOCOL.md section 1): now as a message id, 100 ns units since the epoch, the
 * magnitude every mid has (docs/MIDS.md). A client with no history pulls from it.
 */
@Path("/")
public final class TimeResource {
    private final MidClock clock;
    private final Route v1;
    private final Route unversioned;

    public TimeResource(MidClock clock, MetricRegistry metrics) {
        this.clock = clock;
        this.v1 = new Route("time.get.v1", Dialect.VERSIONED, metrics);
        this.unversioned = new Route("time.get", Dialect.UNVERSIONED, metrics);
    }

    @GET
    @Path("1/time/get")
    public Response timeV1(@QueryParam("cb") String cb) {
        return v1.serve(cb, () -> Answer.ok(Data.timeId(clock.now())));
    }

    @GET
    @Path("time/get")
    public Response time(@QueryParam("callback") String callback) {
        return unversioned.serve(callback, () -> Answer.ok(Data.timeId(clock.now())));
    }
}
