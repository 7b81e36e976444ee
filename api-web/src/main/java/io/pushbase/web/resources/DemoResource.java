package io.pushbase.web.resources;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * (Pushbase) {@code GET /demo}: one static page that subscribes to a key over WebSocket on the
 * comet that owns it, shows what is pushed, and after a disconnect reconnects and pulls what it
 * missed — gopush-cluster's client protocol in thirty lines of browser JavaScript.
 */
@Path("/demo")
public final class DemoResource {
    private final byte[] page;

    public DemoResource() {
        try (InputStream in = DemoResource.class.getResourceAsStream("demo.html")) {
            if (in == null) {
                throw new IllegalStateException("demo.html missing from the classpath");
            }
            page = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @GET
    public Response page() {
        return Response.ok(page, "text/html;charset=utf-8").build();
    }
}
