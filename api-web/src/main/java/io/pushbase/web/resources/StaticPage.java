package io.pushbase.web.resources;

import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * One file shipped in this package's resources (an HTML page, or a script or style sheet it loads),
 * read once at start-up and served as is. Immutable and thread-safe.
 */
final class StaticPage {
    private final byte[] page;
    private final String contentType;

    /** An HTML page: {@code name} from this package's resources. */
    StaticPage(String name) {
        this(name, "text/html;charset=utf-8");
    }

    /** Reads {@code name} from this package's resources; a missing file fails the start. */
    StaticPage(String name, String contentType) {
        this.contentType = contentType;
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
        return Response.ok(page, contentType).build();
    }
}
