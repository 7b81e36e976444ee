package io.pushbase.web.resources;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/**
 * (Pushbase) {@code GET /console} on the admin port: one static page for operators that shows,
 * every 2 s, this web node's health checks ({@code /healthcheck}), the cluster view ({@code
 * /1/admin/nodes}: comets with role, ring membership and connections, message nodes, web nodes) and
 * its traffic ({@code /metrics}: route rates, latencies and {@code ret} codes, fallbacks,
 * message-node failures). The page holds no data itself, so it is served without the admin secret
 * ({@link AdminSecretFilter}); its calls to {@code /1/admin/nodes} send the secret the operator
 * types in.
 */
@Path("/console")
public final class ConsoleResource {
    private final StaticPage page = new StaticPage("console.html");

    @GET
    public Response page() {
        return page.response();
    }
}
