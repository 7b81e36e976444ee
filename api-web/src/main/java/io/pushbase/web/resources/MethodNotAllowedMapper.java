package io.pushbase.web.resources;

import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A route called with the wrong method answers as gopush-cluster's Go server did: status 405, body
 * {@code Method Not Allowed} and a newline, as plain text.
 */
public final class MethodNotAllowedMapper implements ExceptionMapper<NotAllowedException> {
    static final String BODY = "Method Not Allowed\n";
    private static final byte[] BODY_BYTES = BODY.getBytes(StandardCharsets.US_ASCII);

    @Override
    public Response toResponse(NotAllowedException e) {
        return notAllowed();
    }

    static Response notAllowed() {
        return Response.status(405)
                .type(MediaType.TEXT_PLAIN_TYPE.withCharset("utf-8"))
                .header("X-Content-Type-Options", "nosniff")
                .entity(BODY)
                .build();
    }

    /**
     * The same answer on a route served outside Jersey ({@link AdminPushRoutes}, {@link
     * ClientRoutes}).
     */
    static void write(HttpServletResponse response) throws IOException {
        response.setStatus(405);
        response.setContentType("text/plain;charset=utf-8");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.getOutputStream().write(BODY_BYTES);
    }
}
