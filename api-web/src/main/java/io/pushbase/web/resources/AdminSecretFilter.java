package io.pushbase.web.resources;

import io.pushbase.web.reply.Answer;
import io.pushbase.web.reply.Ret;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * (Pushbase) When an admin secret is configured, every admin route requires {@code Authorization:
 * Bearer <secret>}; otherwise it answers status 401 with {@code {"ret":1002}}. The comparison takes
 * the same time whatever the guess. The console page ({@link ConsoleResource}) is the exception: it
 * holds no data, and a browser cannot send the header when it opens it. Thread-safe.
 */
public final class AdminSecretFilter implements ContainerRequestFilter {
    private static final String BEARER = "Bearer ";
    private final byte[] secret;

    public AdminSecretFilter(String secret) {
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void filter(ContainerRequestContext request) {
        // A post-matching filter: the matched resource says whether this is the console page.
        if (request.getUriInfo().getMatchedResources().stream()
                .anyMatch(ConsoleResource.class::isInstance)) {
            return;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        byte[] given =
                header != null && header.startsWith(BEARER)
                        ? header.substring(BEARER.length()).getBytes(StandardCharsets.UTF_8)
                        : new byte[0];
        if (!MessageDigest.isEqual(given, secret)) {
            Answer refused =
                    Answer.error(Ret.UNAUTHORISED, "admin API: missing or wrong bearer secret");
            request.abortWith(
                    Response.status(401)
                            .type("application/json;charset=utf-8")
                            .header(Answer.PROBLEM_HEADER, refused.problem())
                            .entity(refused.render(false))
                            .build());
        }
    }
}
