package io.pushbase.web.resources;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

/**
 * (Pushbase) {@code GET /console} on the admin port: one static page for operators (console.html)
 * with live charts of push and delivery rates, push latency, append batch sizes and connections per
 * comet, node health with the reason of any failing check, the cluster view, a key inspector and a
 * push form. It reads this web node's {@code /healthcheck} and {@code /metrics} and the admin
 * routes {@code /1/admin/nodes} (which carries each comet's traffic) and {@code /1/admin/key}, and
 * pushes through {@code /1/admin/push/private}. Its chart library, uPlot, is vendored beside it
 * ({@code vendor/uplot-1.6.32/}, MIT) and served here, so the page makes no request off this port.
 *
 * <p>The page and its library hold no data, so they are served without the admin secret ({@link
 * AdminSecretFilter} exempts this resource); the page's calls to the admin routes send the secret
 * the operator types in.
 */
@Path("/console")
public final class ConsoleResource {
    private static final String UPLOT = "vendor/uplot-1.6.32/";
    private final StaticPage page = new StaticPage("console.html");
    private final StaticPage chartScript =
            new StaticPage(UPLOT + "uPlot.iife.min.js", "application/javascript;charset=utf-8");
    private final StaticPage chartStyle =
            new StaticPage(UPLOT + "uPlot.min.css", "text/css;charset=utf-8");

    @GET
    public Response page() {
        return page.response();
    }

    @GET
    @Path("uPlot.iife.min.js")
    public Response chartScript() {
        return chartScript.response();
    }

    @GET
    @Path("uPlot.min.css")
    public Response chartStyle() {
        return chartStyle.response();
    }
}
