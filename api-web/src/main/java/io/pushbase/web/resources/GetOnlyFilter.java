package io.pushbase.web.resources;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;

/**
 * The external API answers GET only (docs/PROTOCOL.md section 1): every other method, HEAD and
 * OPTIONS included, is 405 before any route runs.
 */
@PreMatching
public final class GetOnlyFilter implements ContainerRequestFilter {
    @Override
    public void filter(ContainerRequestContext request) {
        if (!"GET".equals(request.getMethod())) {
            request.abortWith(MethodNotAllowedMapper.notAllowed());
        }
    }
}
