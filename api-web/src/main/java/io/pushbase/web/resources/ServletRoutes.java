package io.pushbase.web.resources;

import io.pushbase.web.reply.Answer;
import io.pushbase.web.reply.Ret;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import java.io.IOException;
import java.util.concurrent.CompletionStage;
import org.glassfish.jersey.uri.UriComponent;

/**
 * What the routes served outside Jersey ({@link AdminPushRoutes}, {@link ClientRoutes}) read of a
 * request, read the way Jersey read it for the resources they replaced, so that their answers stay
 * byte for byte what Jersey's were: the path a route is matched on, the method check, and the query
 * parameters as {@code @QueryParam} decoded them.
 *
 * <p>Stateless; every method may be called from any request thread.
 */
final class ServletRoutes {
    private ServletRoutes() {}

    /** The request's path below the context, as the filter mappings match it. */
    static String path(HttpServletRequest request) {
        String info = request.getPathInfo();
        return info == null ? request.getServletPath() : request.getServletPath() + info;
    }

    /**
     * Whether the request uses {@code method}; if not, answers it 405 as gopush-cluster's Go server
     * did ({@link MethodNotAllowedMapper#write}) and the caller has nothing more to do.
     */
    static boolean allows(String method, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        if (method.equals(request.getMethod())) {
            return true;
        }
        MethodNotAllowedMapper.write(response);
        return false;
    }

    /**
     * The query parameters, decoded by Jersey's own {@link UriComponent} as {@code @QueryParam}
     * decoded them (the first of a repeated one is what {@code getFirst} gives), never from the
     * body: a form content type, which curl sends by default, must not make the container read the
     * body as form fields.
     *
     * <p>A parameter that is not valid percent-encoding ({@code k=%ZZ}) is dropped and the others
     * kept, as gopush-cluster's Go server dropped it ({@code url.Values} parsing): a route that
     * needed it refuses its input as for a missing one, and {@link Query#explain} names the
     * malformed escape in that answer's problem; a route that did not need it answers as Go did.
     */
    static Query query(HttpServletRequest request) {
        String query = request.getQueryString();
        if (query == null || query.isEmpty()) {
            return new Query(new MultivaluedHashMap<>(), null);
        }
        try {
            return new Query(UriComponent.decodeQuery(query, true), null);
        } catch (IllegalArgumentException malformed) {
            // Only now pair by pair, to keep what Go kept.
            MultivaluedMap<String, String> kept = new MultivaluedHashMap<>();
            String dropped = null;
            for (String pair : query.split("&")) {
                try {
                    UriComponent.decodeQuery(pair, true).forEach(kept::addAll);
                } catch (IllegalArgumentException e) {
                    if (dropped == null) {
                        dropped = e.getMessage();
                    }
                }
            }
            return new Query(kept, dropped);
        }
    }

    /**
     * A request's decoded query parameters.
     *
     * @param parameters every well-formed parameter (the values of each in the order given)
     * @param dropped why the first parameter that was not valid percent-encoding was dropped, or
     *     null when none was
     */
    record Query(MultivaluedMap<String, String> parameters, String dropped) {
        String first(String name) {
            return parameters.getFirst(name);
        }

        /**
         * The route's answer, its problem naming the dropped parameter when the route refused its
         * input ({@code 65534}) and one was dropped: what the route read as missing or invalid may
         * be that one.
         */
        CompletionStage<Answer> explain(CompletionStage<Answer> answer) {
            if (dropped == null) {
                return answer;
            }
            return answer.thenApply(
                    a ->
                            a.ret() == Ret.PARAM
                                    ? Answer.error(
                                            Ret.PARAM,
                                            "malformed query string, a parameter was dropped ("
                                                    + dropped
                                                    + "): "
                                                    + a.problem())
                                    : a);
        }
    }
}
