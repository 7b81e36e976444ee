package io.pushbase.web.resources;

import com.codahale.metrics.MetricRegistry;
import io.pushbase.schema.client.Keys;
import io.pushbase.web.comet.CometDirectory;
import io.pushbase.web.comet.CometDirectory.CometNode;
import io.pushbase.web.reply.Answer;
import io.pushbase.web.reply.Data;
import io.pushbase.web.reply.Dialect;
import io.pushbase.web.reply.Ret;
import io.pushbase.web.reply.Route;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Optional;

/**
 * Node lookup (docs/PROTOCOL.md section 1): which comet address a client of key {@code k} connects
 * to, from the shared ring over live comets ({@link CometDirectory}, memory only).
 *
 * <p>Checks in gopush-cluster's order: an empty (or over-long) key is {@code 65534}; no live comet
 * is {@code 1001}; then a protocol other than {@code 1} (WebSocket) or {@code 2} (TCP) is {@code
 * 65534}.
 */
@Path("/")
public final class ServerResource {
    private final CometDirectory directory;
    private final Route v1;
    private final Route v2;
    private final Route unversioned;

    public ServerResource(CometDirectory directory, MetricRegistry metrics) {
        this.directory = directory;
        this.v1 = new Route("server.get.v1", Dialect.VERSIONED, metrics);
        this.v2 = new Route("server.get.v2", Dialect.VERSIONED, metrics);
        this.unversioned = new Route("server.get", Dialect.UNVERSIONED, metrics);
    }

    /** {@code {"server":"host:port"}}: the first address of the protocol. */
    @GET
    @Path("1/server/get")
    public Response serverV1(
            @QueryParam("k") String key,
            @QueryParam("p") String proto,
            @QueryParam("cb") String cb) {
        return v1.serve(cb, () -> lookup(key, proto, false));
    }

    /** {@code {"server":["host:port",...]}}: every address of the protocol. */
    @GET
    @Path("2/server/get")
    public Response serverV2(
            @QueryParam("k") String key,
            @QueryParam("p") String proto,
            @QueryParam("cb") String cb) {
        return v2.serve(cb, () -> lookup(key, proto, true));
    }

    @GET
    @Path("server/get")
    public Response server(
            @QueryParam("key") String key,
            @QueryParam("proto") String proto,
            @QueryParam("callback") String callback) {
        return unversioned.serve(callback, () -> lookup(key, proto, false));
    }

    private Answer lookup(String key, String proto, boolean all) {
        String keyProblem = Keys.problem(key);
        if (keyProblem != null) {
            return Answer.error(Ret.PARAM, keyProblem);
        }
        Optional<CometNode> owner = directory.ownerOf(key);
        if (owner.isEmpty()) {
            return Answer.error(Ret.NO_COMET, "no comet node is live");
        }
        String protocol;
        if ("1".equals(proto)) {
            protocol = "ws";
        } else if ("2".equals(proto)) {
            protocol = "tcp";
        } else {
            return Answer.error(
                    Ret.PARAM, "protocol must be 1 (WebSocket) or 2 (TCP), got '" + proto + "'");
        }
        Optional<String> address = owner.get().address(protocol);
        if (address.isEmpty()) {
            return Answer.error(
                    Ret.NO_COMET,
                    "comet " + owner.get().nodeName() + " registered no " + protocol + " address");
        }
        return Answer.ok(all ? Data.servers(List.of(address.get())) : Data.server(address.get()));
    }
}
