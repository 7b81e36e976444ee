package io.pushbase.web.resources;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/**
 * (Pushbase) {@code GET /client/pushbase.js}: the browser client (an ES module, {@code clients/js/}
 * in the repository, which the build puts on this package's classpath), served so that a page of
 * this web node's origin — the {@code /demo} page first — can {@code import} it. Read once at
 * start-up (a missing file fails the start); immutable and thread-safe.
 */
@Path("/client")
public final class ClientScriptResource {
    private final StaticPage script =
            new StaticPage("client/pushbase.js", "text/javascript;charset=utf-8");

    @GET
    @Path("pushbase.js")
    public Response script() {
        return script.response();
    }
}
