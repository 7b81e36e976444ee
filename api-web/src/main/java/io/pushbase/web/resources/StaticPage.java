package io.pushbase.web.resources;

import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * One HTML page shipped in this package's resources, read once at start-up and served as is.
 * Immutable and thread-safe.
 */
final class StaticPage {
    private final byte[] page;

    /** Reads {@code name} from this package's resources; a missing page fails the start. */
    StaticPage(String name) {
        try (InputStream in = StaticPage.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " missing from the classpath");
            }
            page = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Response response() {
        return Response.ok(page, "text/html;charset=utf-8").build();
    }
}
