package io.hypermesh.streams.api;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The route table of the query API: each room adds its endpoints here with their method, and the
 * answer to any other method on a known path (405 with {@code Allow}, as Consul gives) comes from
 * the same table, so a path is written once.
 */
public final class Routes {
    private final Router router;
    private final Map<String, Set<String>> methodsByPath = new LinkedHashMap<>();

    public Routes(Router router) {
        this.router = router;
    }

    public Route get(String path) {
        return add(HttpMethod.GET, path);
    }

    public Route put(String path) {
        return add(HttpMethod.PUT, path);
    }

    public Route post(String path) {
        return add(HttpMethod.POST, path);
    }

    public Route delete(String path) {
        return add(HttpMethod.DELETE, path);
    }

    private Route add(HttpMethod method, String path) {
        methodsByPath.computeIfAbsent(path, p -> new LinkedHashSet<>()).add(method.name());
        return router.route(method, path);
    }

    /** For what is not an endpoint: a guard on a prefix, a handler on every request. */
    public Router router() {
        return router;
    }

    /**
     * Answers any other method on a known path with 405 and the allowed ones. An exact path goes
     * first, as Go's mux prefers it to a pattern (GET /v1/agent/service/register is 405, not
     * service "register"); a pattern goes after every endpoint. Call once, after every room.
     */
    public void refuseOtherMethods() {
        methodsByPath.forEach((path, methods) -> {
            String allowed = String.join(", ", methods);
            boolean exact = !path.contains(":");
            router.route(path).order(exact ? -1 : 100_000).handler(ctx -> {
                if (methods.contains(ctx.request().method().name())) {
                    ctx.next();
                    return;
                }
                ctx.response().putHeader("Allow", allowed);
                Responses.error(ctx, new ApiException(405, "method " + ctx.request().method() + " not allowed"));
            });
        });
    }
}
