package io.pushbase.web.resources;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/**
 * (Pushbase) {@code GET /demo}: one static page that subscribes to a key with the browser client
 * ({@link ClientScriptResource}, {@code clients/js/}): the comet that owns it over WebSocket, or
 * Server-Sent Events when the upgrade fails; it shows what is pushed with exact mids and resumes
 * after any disconnect.
 */
@Path("/demo")
public final class DemoResource {
    private final StaticPage page = new StaticPage("demo.html");

    @GET
    public Response page() {
        return page.response();
    }
}
