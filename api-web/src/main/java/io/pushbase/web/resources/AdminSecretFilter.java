package io.pushbase.web.resources;

import io.pushbase.web.reply.Answer;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

/**
 * (Pushbase) When an admin secret is configured ({@link AdminSecret}), every admin route Jersey
 * serves requires {@code Authorization: Bearer <secret>}; otherwise it answers status 401 with
 * {@code {"ret":1002}}. The console page ({@link ConsoleResource}) is the exception: it holds no
 * data, and a browser cannot send the header when it opens it. Thread-safe.
 */
public final class AdminSecretFilter implements ContainerRequestFilter {
    private final AdminSecret secret;

    public AdminSecretFilter(AdminSecret secret) {
        this.secret = secret;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        // A post-matching filter: the matched resource says whether this is the console page.
        if (request.getUriInfo().getMatchedResources().stream()
                .anyMatch(ConsoleResource.class::isInstance)) {
            return;
        }
        if (!secret.allows(request.getHeaderString(HttpHeaders.AUTHORIZATION))) {
            Answer refused = AdminSecret.REFUSED;
            request.abortWith(
                    Response.status(401)
                            .type("application/json;charset=utf-8")
                            .header(Answer.PROBLEM_HEADER, refused.problem())
                            .entity(refused.render(false))
                            .build());
        }
    }
}
