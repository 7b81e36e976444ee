package io.pushbase.web.resources;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/**
 * (Pushbase) {@code GET /demo}: one static page that subscribes to a key over WebSocket on the
 * comet that owns it, shows what is pushed, and after a disconnect reconnects and pulls what it
 * missed — gopush-cluster's client protocol in thirty lines of browser JavaScript.
 */
@Path("/demo")
public final class DemoResource {
    private final StaticPage page = new StaticPage("demo.html");

    @GET
    public Response page() {
        return page.response();
    }
}
